"""Certification's consumers subscribe to exactly the upstream events its intake reads."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.certification.domain.intake import CALIBRATIONS, RETRACTIONS, TRANSLATORS
from services.certification.domain.upstream import TAKEN_IN, takes_in, upstream_filters
from services.certification.entrypoints.consumers import upstream_subscription
from services.certification.handlers.intake import upstream_parts
from services.coaching.domain.events import registry as coaching_events
from services.fidelity.domain.events import registry as fidelity_events
from services.learning.domain.events import registry as learning_events
from shared.envelope import CloudEvent, event_type
from system.topology import CONSUMERS

PUBLISHED = {"learning": learning_events, "coaching": coaching_events, "fidelity": fidelity_events}


def declared() -> set[tuple[str, str]]:
    return {(service, event) for service, events in TAKEN_IN.items() for event in events}


def test_every_event_the_intake_reads_is_subscribed_and_nothing_else() -> None:
    read = set(TRANSLATORS) | RETRACTIONS | CALIBRATIONS
    assert read == declared(), "an event the intake reads needs its subject in TAKEN_IN"


def test_every_subscribed_event_is_one_its_service_publishes() -> None:
    unknown = {(s, e) for s, e in declared() if not PUBLISHED[s].knows(e)}
    assert not unknown


@pytest.mark.parametrize("service", sorted(PUBLISHED))
def test_an_upstream_event_not_taken_in_carries_nothing_for_certification(
    service: str,
) -> None:
    skipped = [c.name for c in PUBLISHED[service].classes() if not takes_in(service, c.name)]
    assert skipped, f"{service} publishes events certification does not read"
    for name in skipped:
        event = CloudEvent(
            id=f"{service}-{name}",
            source=f"/miiwrap/{service}",
            type=event_type(service, name, 1),
            time=datetime(2026, 1, 5, tzinfo=UTC),
            agencyid="agency-a",
            subject="p-1",
            data={"practitioner_id": "p-1", "observer_id": "o-1", "coach_id": "c-1"},
        )
        assert upstream_parts(event) == (None, None, None), name


def test_the_consumers_and_the_nats_grants_share_one_list_of_filters() -> None:
    granted: dict[str, list[str]] = {}
    for upstream, label, subject in CONSUMERS["certification"]:
        assert label == upstream
        granted.setdefault(upstream, []).append(subject)
    assert granted == {service: upstream_filters(service) for service in TAKEN_IN}
    for service in TAKEN_IN:
        subscription = upstream_subscription("root", "certification", service)
        assert subscription.subjects == [f"root.{s}" for s in granted[service]]
        assert subscription.superseded == (f"root.{service}.>",)
    assert upstream_filters("learning")[0] == "learning.*.module_mastered.>"
    assert upstream_filters("fidelity") == ["fidelity.>"]  # read whole: READ_WHOLE
