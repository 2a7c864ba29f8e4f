"""Fidelity's copy of the agency roster, from certification's roster events.

Certification owns the roster; fidelity keeps the kernel's copy (`shared.roster_copy`)
so an observation of a practitioner who is not on it is refused.
"""

from __future__ import annotations

from shared.consumer import EventConsumer
from shared.roster_copy import roster_consumer
from shared.service import Runtime


def roster_consumers(runtime: Runtime) -> list[EventConsumer]:
    return [roster_consumer(runtime, "fidelity")]
