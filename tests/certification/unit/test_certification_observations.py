"""Qualifying observations: calibration, thresholds, window, spacing, independent observer."""

from __future__ import annotations

import random
from datetime import date
from itertools import combinations, pairwise

import pytest

from services.certification.domain.evaluate import evaluate
from services.certification.domain.evidence import ObservationRecorded
from services.certification.domain.observations import select_spaced
from services.certification.domain.policy import Policy
from services.certification.domain.transitions import CertificationStatus as Status
from tests.certification.unit.certification_builders import (
    COACH,
    GRANT_DAY,
    PractitionerHistory,
    days_after,
    observation_named,
    requirement,
    story,
)

OBSERVATIONS = "qualifying_observations"


def test_an_uncalibrated_observers_observation_does_not_count(
    policy: Policy, history: PractitionerHistory
) -> None:
    history.without(observation_named("obs-2")).observed(GRANT_DAY, total=95, calibrated=False)

    state = evaluate(policy, history.build(), GRANT_DAY)

    observations = requirement(state, "facilitator", OBSERVATIONS)
    assert not observations.met
    assert observations.reason.endswith("not counted: obs-3 (observer observer-9 not calibrated)")
    assert len(observations.evidence_ids) == 2  # the verdict rests on both it looked at
    assert state.level("facilitator").status is Status.IN_PROGRESS


@pytest.mark.parametrize(
    ("total", "domains", "why"),
    [
        (79.5, None, "total 79.5% below 80%"),
        (88, {"engagement": 90, "teamwork": 60, "planning": 90}, "domain teamwork 60% below 65%"),
    ],
)
def test_an_observation_below_the_total_or_a_domain_floor_does_not_count(
    policy: Policy,
    history: PractitionerHistory,
    total: float,
    domains: dict[str, float] | None,
    why: str,
) -> None:
    history.without(observation_named("obs-2")).observed(GRANT_DAY, total=total, domains=domains)

    observations = requirement(
        evaluate(policy, history.build(), GRANT_DAY), "facilitator", OBSERVATIONS
    )

    assert not observations.met
    assert observations.reason.endswith(f"not counted: obs-3 ({why})")


def test_an_observation_by_the_practitioner_themself_does_not_count(
    policy: Policy, history: PractitionerHistory
) -> None:
    history.without(observation_named("obs-2")).observed(GRANT_DAY, observer="pr-1")

    observations = requirement(
        evaluate(policy, history.build(), GRANT_DAY), "facilitator", OBSERVATIONS
    )

    assert not observations.met
    assert "obs-3 (observed by the practitioner)" in observations.reason


def test_observations_older_than_180_days_do_not_count(
    policy: Policy, history: PractitionerHistory
) -> None:
    # 2025-05-31 is 184 days before the grant day.
    history.without(observation_named("obs-1")).observed(date(2025, 5, 31), observer=COACH)

    observations = requirement(
        evaluate(policy, history.build(), GRANT_DAY), "facilitator", OBSERVATIONS
    )

    assert not observations.met
    assert observations.reason == (
        "1 of 2 qualifying team meeting observations in the last 180 days: "
        "obs-2 on 2025-12-01 (83%)"
    )


def test_observations_less_than_30_days_apart_do_not_qualify_together(
    policy: Policy, history: PractitionerHistory
) -> None:
    history.without(observation_named("obs-2")).observed(date(2025, 11, 10))

    observations = requirement(
        evaluate(policy, history.build(), date(2025, 11, 30)), "facilitator", OBSERVATIONS
    )

    assert not observations.met
    assert observations.reason.endswith("but no 2 of them are 30 days apart")


def test_any_spaced_pair_qualifies_not_only_consecutive_observations(
    policy: Policy, history: PractitionerHistory
) -> None:
    # 10-20 (coach), 11-10, 12-01 (coach): consecutive gaps are 21 days; 10-20 to 12-01 is
    # spaced but both by the coach; 11-10 to 12-15 is spaced and has an independent observer.
    history.without(observation_named("obs-2"))
    history.observed(date(2025, 11, 10)).observed(GRANT_DAY, observer=COACH)
    blocked = evaluate(policy, history.build(), date(2025, 12, 14))
    history.observed(date(2025, 12, 15), observer=COACH)
    granted = evaluate(policy, history.build(), date(2025, 12, 15))

    assert blocked.level("facilitator").status is Status.IN_PROGRESS
    assert story(granted) == [("granted", date(2025, 12, 15))]
    chosen = requirement(granted, "facilitator", OBSERVATIONS).reason
    assert "obs-3 on 2025-11-10 (86%), obs-5 on 2025-12-15 (86%); 35 days apart" in chosen


def test_observations_by_the_practitioners_own_coach_alone_do_not_qualify(
    policy: Policy, history: PractitionerHistory
) -> None:
    history.without(observation_named("obs-2")).observed(GRANT_DAY, total=90, observer=COACH)

    observations = requirement(
        evaluate(policy, history.build(), GRANT_DAY), "facilitator", OBSERVATIONS
    )

    assert not observations.met
    assert observations.reason.endswith(
        "but every spaced set was observed only by the practitioner's coach (coach-1)"
    )


def test_the_coach_assigned_on_the_observation_date_decides_independence(
    policy: Policy, history: PractitionerHistory
) -> None:
    # observer-9 becomes the coach before obs-2; coach-1 was the coach at obs-1.
    reassigned = PractitionerHistory.certified_facilitator()
    reassigned.coach_assigned("observer-9", date(2025, 11, 15))
    # coach-2 takes over before obs-1, so coach-1 observed obs-1 as an outsider.
    earlier = history.coach_assigned("coach-2", date(2025, 10, 1))

    blocked = evaluate(policy, reassigned.build(), GRANT_DAY)
    granted = evaluate(policy, earlier.build(), GRANT_DAY)

    assert not requirement(blocked, "facilitator", OBSERVATIONS).met
    assert story(granted) == [("granted", GRANT_DAY)]


def _observation(day: int, observer: str) -> ObservationRecorded:
    return ObservationRecorded(
        event_id=f"ev-{day}-{observer}",
        practitioner_id="pr-1",
        occurred_on=days_after(date(2025, 1, 1), day),
        observation_id=f"obs-{day}",
        instrument_kind="team_meeting",
        instrument_key="team-meeting-observation",
        instrument_version=1,
        observer_id=observer,
        observer_calibrated=True,
        total_percent=85,
    )


def _exists_by_brute_force(items: list[ObservationRecorded], count: int, spacing: int) -> bool:
    return any(
        any(o.observer_id != COACH for o in chosen)
        and all((b.occurred_on - a.occurred_on).days >= spacing for a, b in pairwise(chosen))
        for chosen in combinations(items, count)
    )


def test_spaced_selection_finds_a_set_exactly_when_one_exists() -> None:
    rng = random.Random(20260101)
    for _ in range(400):
        days = sorted(rng.sample(range(200), rng.randint(0, 7)))
        items = [_observation(day, rng.choice([COACH, "observer-9"])) for day in days]
        count, spacing = rng.randint(1, 3), rng.choice([0, 1, 30, 45])

        chosen = select_spaced(items, count, spacing, lambda o: o.observer_id != COACH)

        assert bool(chosen) == _exists_by_brute_force(items, count, spacing), (days, count, spacing)
        if chosen:
            assert len(chosen) == count
            assert any(o.observer_id != COACH for o in chosen)
            gaps = [(b.occurred_on - a.occurred_on).days for a, b in pairwise(chosen)]
            assert all(gap >= spacing for gap in gaps)


def test_spaced_selection_prefers_the_most_recent_set() -> None:
    items = [_observation(day, "observer-9") for day in (0, 40, 80, 120)]

    chosen = select_spaced(items, 2, 30, lambda o: True)

    assert [o.observation_id for o in chosen] == ["obs-80", "obs-120"]
