"""Learning's copy of the agency roster, from certification's roster events.

Certification owns the roster; learning keeps the kernel's copy (`shared.roster_copy`)
to refuse evidence for practitioners not on it and to show the roster's teams. A
registration also sets off what learning registered for it (`LearningContext.
on_registered`: the LRS judges the Statements that waited for that learner).
"""

from __future__ import annotations

from services.learning.handlers.context import LEARNING
from shared.consumer import EventConsumer
from shared.database import Connection
from shared.envelope import CloudEvent
from shared.roster_copy import REGISTERED, roster_consumer
from shared.service import Runtime


def roster_consumers(runtime: Runtime) -> list[EventConsumer]:
    async def after_registration(conn: Connection, event: CloudEvent, practitioner_id: str) -> None:
        if event.event_name != REGISTERED:
            return
        for hook in LEARNING.of(runtime).on_registered:
            await hook(runtime, conn, event.agencyid, practitioner_id)

    return [roster_consumer(runtime, "learning", [after_registration])]
