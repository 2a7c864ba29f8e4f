"""Learning's copy of the agency roster, from certification's roster events.

Certification owns the roster; learning keeps the kernel's copy (`shared.roster_copy`)
to refuse evidence for practitioners not on it and to show the roster's teams. A
registration also sets off what learning registered for it (`LearningContext.
on_registered`: the LRS judges the Statements that waited for that learner), when any
Statement of the agency waits at all.
"""

from __future__ import annotations

import structlog

from services.learning.handlers.context import LEARNING
from services.learning.xapi.adapters.mapping_store import any_pending_statement
from shared.consumer import EventConsumer
from shared.database import Connection, is_unavailable
from shared.envelope import CloudEvent
from shared.roster_copy import REGISTERED, roster_consumer
from shared.service import Runtime

log = structlog.get_logger(__name__)


def roster_consumers(runtime: Runtime) -> list[EventConsumer]:
    async def after_registration(conn: Connection, event: CloudEvent, practitioner_id: str) -> None:
        if event.event_name != REGISTERED:
            return
        hooks = LEARNING.of(runtime).on_registered
        # they judge the Statements that wait: with none pending in the agency (one index
        # look-up) there is nothing to judge, and no savepoint nor read to pay for
        if not hooks or not await any_pending_statement(conn, event.agencyid):
            return
        for hook in hooks:
            try:
                async with conn.transaction():  # the copy stands even if the replay fails
                    await hook(runtime, conn, event.agencyid, practitioner_id)
            except Exception as error:
                if is_unavailable(error):
                    raise  # the database is away: the whole event is retried
                # the Statements stay pending; an enrollment or a mapping judges them again
                log.error(
                    "replay_on_registration_failed",
                    agency=event.agencyid,
                    practitioner=practitioner_id,
                    error=repr(error),
                )

    return [roster_consumer(runtime, "learning", [after_registration])]
