"""The upstream events certification takes in: one declared list, read by its consumers
(each subscribes to these event types only) and by `system/topology.py` (the NATS grants).

Every other event of learning, coaching and fidelity is no evidence, no retraction and
no calibration (domain/intake.py), so it is never delivered: neither NATS nor the
consumer spends anything on it. A translation added to the intake without its event
here fails `tests/certification/unit/test_upstream_events_unit.py`.
"""

from __future__ import annotations

from typing import Final

# upstream service → the events of it certification reads (docs/events.md)
TAKEN_IN: Final[dict[str, tuple[str, ...]]] = {
    "learning": (
        "module_mastered",
        "concept_lapsed",
        "concept_restored",
        "evidence_retracted",
        "evidence_withdrawn",
    ),
    "coaching": ("coach_assigned", "coaching_session_held", "skill_rated"),
    "fidelity": ("observation_recorded", "observer_calibrated"),
}
UPSTREAM_SERVICES: Final[tuple[str, ...]] = tuple(TAKEN_IN)


def takes_in(service: str, event_name: str) -> bool:
    """Whether certification reads `service`'s `event_name` at all."""
    return event_name in TAKEN_IN.get(service, ())


def upstream_filters(service: str) -> list[str]:
    """The filter subjects (below the subject root) of certification's consumer of
    `service`'s stream: `<service>.<any agency>.<event>.>`, one per event it reads."""
    return [f"{service}.*.{event}.>" for event in TAKEN_IN[service]]


def superseded_filter(service: str) -> str:
    """The catch-all filter (below the subject root) the consumer of `service` had before
    it read only `TAKEN_IN`: a durable still filtered so is narrowed when bound."""
    return f"{service}.>"
