"""A rebuild's fold job decides each observation's calibration from the job's calibrations."""

from __future__ import annotations

from datetime import date

from services.certification.adapters.status_copy import status_tuples
from services.certification.domain.calibrations import (
    Calibration,
    by_observer,
    decide_by_observer,
    decide_calibrations,
)
from services.certification.domain.evaluate import evaluate
from services.certification.domain.evidence import (
    EVIDENCE_ADAPTER,
    EvidenceSet,
    ObservationRecorded,
)
from services.certification.domain.policy import Policy
from services.certification.domain.schedule import next_change_on
from services.certification.domain.transitions import CertificationStatus as Status
from services.certification.handlers.fold_jobs import FoldJob, fold_job
from services.certification.models.state_body import state_body_bytes
from tests.certification.unit.certification_builders import (
    COACH,
    INDEPENDENT_OBSERVER,
    PractitionerHistory,
)

AGENCY = "agency-1"
TEAM_MEETING = "team-meeting-observation"
TODAY = date(2026, 1, 10)
COVERING = (
    Calibration("a", COACH, TEAM_MEETING, date(2025, 1, 1), date(2026, 1, 1)),
    Calibration("b", INDEPENDENT_OBSERVER, TEAM_MEETING, date(2025, 6, 1), date(2026, 6, 1)),
    Calibration("c", "observer-7", TEAM_MEETING, date(2025, 1, 1), date(2026, 6, 1)),
)


def uncalibrated(practitioner_id: str) -> PractitionerHistory:
    """The certified facilitator's history, its observers not calibrated at write time."""
    history = PractitionerHistory.certified_facilitator(practitioner_id)
    history.items = [
        item.model_copy(update={"observer_calibrated": False})
        if isinstance(item, ObservationRecorded)
        else item
        for item in history.items
    ]
    return history


def job_of(
    policy: Policy, histories: list[PractitionerHistory], calibrations: tuple[Calibration, ...]
) -> FoldJob:
    return FoldJob(
        agency_id=AGENCY,
        policy_json=policy.model_dump_json(),
        today=TODAY,
        calibrations=calibrations,
        evidence={
            h.practitioner_id: [EVIDENCE_ADAPTER.dump_json(i).decode() for i in h.items]
            for h in histories
        },
        announced=None,
    )


def test_grouped_calibrations_decide_every_item_as_the_calibrations_themselves_do() -> None:
    items = uncalibrated("pr-1").items

    assert decide_by_observer(items, by_observer(COVERING)) == decide_calibrations(items, COVERING)
    assert decide_by_observer(items, by_observer(())) == items


def test_every_practitioner_of_a_job_is_folded_on_the_jobs_calibrations(policy: Policy) -> None:
    histories = [uncalibrated("pr-1"), uncalibrated("pr-2")]

    folded = fold_job(job_of(policy, histories, COVERING))

    for history, fold in zip(histories, folded, strict=True):
        decided = EvidenceSet(history.practitioner_id, decide_calibrations(history.items, COVERING))
        expected = evaluate(policy, decided, TODAY)
        assert expected.level("facilitator").status == Status.CERTIFIED
        assert fold.practitioner_id == history.practitioner_id
        assert fold.rows == status_tuples(
            AGENCY,
            expected,
            next_change_on(policy, decided, expected),
            state_body_bytes(expected),
        )
