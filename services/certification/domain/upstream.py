"""The upstream events certification takes in: one declared list, read by its consumers
(each subscribes to these event types only) and by `system/topology.py` (the NATS grants).

Every other event of learning and coaching is no evidence, no retraction and no
calibration (domain/intake.py), so it is never delivered: neither NATS nor the consumer
spends anything on it (most of learning's stream: attempts and reviews). Fidelity's
stream is read whole (`READ_WHOLE`): nearly all of it is observations certification
takes in, and a durable with several filter subjects costs NATS more per delivered
message (~0.015-0.02 ms, `python -m tests.bench.bulk_import`) than skipping its few other
events would save. A translation added to the intake without its event here fails
`tests/certification/unit/test_upstream_events_unit.py`.
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
# streams whose consumer takes every event (and ignores those not in TAKEN_IN)
READ_WHOLE: Final[frozenset[str]] = frozenset({"fidelity"})


def takes_in(service: str, event_name: str) -> bool:
    """Whether certification reads `service`'s `event_name` at all."""
    return event_name in TAKEN_IN.get(service, ())


def delivered(service: str, event_name: str) -> bool:
    """Whether certification's consumer of `service` receives `event_name` (its inbox
    then records it, evidence or not)."""
    return service in READ_WHOLE or takes_in(service, event_name)


def upstream_filters(service: str) -> list[str]:
    """The filter subjects (below the subject root) of certification's consumer of
    `service`'s stream: `<service>.<any agency>.<event>.>`, one per event it reads (the
    whole stream for `READ_WHOLE`)."""
    if service in READ_WHOLE:
        return [whole_stream_filter(service)]
    return [f"{service}.*.{event}.>" for event in TAKEN_IN[service]]


def whole_stream_filter(service: str) -> str:
    """The catch-all filter (below the subject root) every consumer of certification had
    before it read only `TAKEN_IN`: a durable still filtered so is narrowed when bound."""
    return f"{service}.>"
