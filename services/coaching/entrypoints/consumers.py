"""Coaching's copy of the agency roster, from certification's roster events.

Certification owns the roster; coaching keeps the kernel's copy (`shared.roster_copy`)
so it refuses records for practitioners not on it and shows teams and the learning
culture as the roster defines them.
"""

from __future__ import annotations

from shared.consumer import EventConsumer
from shared.roster_copy import roster_consumer
from shared.service import Runtime


def roster_consumers(runtime: Runtime) -> list[EventConsumer]:
    return [roster_consumer(runtime, "coaching")]
