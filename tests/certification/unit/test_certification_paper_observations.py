"""The policy decides whether observations imported from paper forms count."""

from __future__ import annotations

from datetime import date

from services.certification.domain.evaluate import evaluate
from services.certification.domain.evidence import ObservationRecorded
from services.certification.domain.intake import evidence_from_event
from services.certification.domain.policy import ObservationRules, Policy
from services.certification.domain.transitions import CertificationStatus as Status
from tests.certification.unit.certification_builders import (
    GRANT_DAY,
    PractitionerHistory,
    of_kind,
    requirement,
)


def paper_history(history: PractitionerHistory) -> PractitionerHistory:
    history.without(of_kind(ObservationRecorded))
    return history.observed(date(2025, 10, 20), total=86, imported=True).observed(
        GRANT_DAY, total=83, imported=True
    )


def test_imported_paper_observations_count_under_the_default_policy(
    policy: Policy, history: PractitionerHistory
) -> None:
    assert policy.observations.count_imported_paper

    state = evaluate(policy, paper_history(history).build(), date(2026, 1, 10))

    assert state.level("facilitator").status is Status.CERTIFIED


def test_a_policy_that_does_not_count_paper_says_so_for_each_observation(
    policy: Policy, history: PractitionerHistory
) -> None:
    strict = policy.model_copy(
        update={"version": 2, "observations": ObservationRules(count_imported_paper=False)}
    )

    state = evaluate(strict, paper_history(history).build(), date(2026, 1, 10))

    assert state.level("facilitator").status is Status.IN_PROGRESS
    reason = requirement(state, "facilitator", "qualifying_observations").reason
    assert reason.endswith(
        "not counted: obs-3 (imported from a paper form, which this policy does not count), "
        "obs-4 (imported from a paper form, which this policy does not count)"
    )


def test_a_policy_that_does_not_count_paper_does_not_keep_a_certification_with_them(
    policy: Policy, history: PractitionerHistory
) -> None:
    strict = policy.model_copy(
        update={"version": 2, "observations": ObservationRules(count_imported_paper=False)}
    )
    history.observed(date(2026, 8, 1), total=90, imported=True)  # would keep it current

    state = evaluate(strict, history.build(), date(2026, 9, 5))
    counted = evaluate(policy, history.build(), date(2026, 9, 5))

    assert state.level("facilitator").status is Status.AT_RISK  # 270 days with no counted one
    assert counted.level("facilitator").status is Status.CERTIFIED


def test_a_stored_policy_without_the_field_reads_as_counting_paper(policy: Policy) -> None:
    stored = policy.model_dump(mode="json")
    del stored["observations"]

    assert Policy.model_validate(stored).observations.count_imported_paper


def test_an_observation_event_without_imported_is_not_imported() -> None:
    data = {
        "practitioner_id": "pr-1",
        "observation_id": "o-1",
        "observer_id": "observer-9",
        "instrument_key": "team-meeting-observation",
        "instrument_version": 1,
        "instrument_kind": "team_meeting",
        "meeting_date": "2025-10-20",
        "total": 86,
        "domain_scores": {"engagement": 86},
        "observer_calibrated": True,
        "co_observation_of": None,
    }
    plain = evidence_from_event("fidelity", "observation_recorded", "ev-1", data)
    paper = evidence_from_event(
        "fidelity", "observation_recorded", "ev-2", {**data, "imported": True}
    )

    assert isinstance(plain, ObservationRecorded) and not plain.imported
    assert isinstance(paper, ObservationRecorded) and paper.imported
