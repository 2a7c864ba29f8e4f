"""Which Statements are learning evidence under an Activity mapping (cmi5 moveOn included)."""

from __future__ import annotations

from typing import Any

import pytest

from services.learning.xapi.cmi5 import COMPLETED, FAILED, PASSED, WAIVED, MoveOn
from services.learning.xapi.evidence import (
    ActivityMapping,
    AttemptEvidence,
    AuProgress,
    MappingKind,
    ReviewEvidence,
    evidence_for,
    scaled_score,
)

from .builders import MODULE, statement, verb

ADL_PASSED = "http://adlnet.gov/expapi/verbs/passed"
LAUNCHED = "http://adlnet.gov/expapi/verbs/launched"
ASSESSMENT = ActivityMapping(MODULE, MappingKind.ASSESSMENT, "M1")
CONCEPT = ActivityMapping(MODULE, MappingKind.CONCEPT, "M1.C2")


def module(move_on: MoveOn) -> ActivityMapping:
    return ActivityMapping(MODULE, MappingKind.MODULE, "M1", move_on)


def with_verb(verb_id: str, score: float | None = None) -> dict[str, Any]:
    built = statement(verb=verb(verb_id))
    built["result"] = {"score": {"scaled": score}} if score is not None else {"completion": True}
    return built


def test_the_scaled_score_falls_back_to_raw_within_min_and_max() -> None:
    assert scaled_score(with_verb(PASSED, 0.7)) == 0.7
    raw_only = statement(result={"score": {"raw": 30, "min": 10, "max": 50}})
    assert scaled_score(raw_only) == 0.5
    assert scaled_score(statement(result={"score": {"raw": 30}})) is None


def test_every_scored_statement_on_an_assessment_is_an_attempt() -> None:
    evidence = evidence_for(with_verb(FAILED, 0.4), ASSESSMENT, None)
    assert isinstance(evidence, AttemptEvidence)
    assert (evidence.module_id, evidence.scaled_score) == ("M1", 0.4)
    assert evidence_for(with_verb(LAUNCHED), ASSESSMENT, None) is None


def test_a_concept_review_is_rated_by_score_or_by_verb() -> None:
    by_score = evidence_for(with_verb(PASSED, 0.95), CONCEPT, None)
    assert isinstance(by_score, ReviewEvidence)
    assert (by_score.concept_id, by_score.scaled_score, by_score.rating) == ("M1.C2", 0.95, None)
    by_verb = evidence_for(with_verb(FAILED), CONCEPT, None)
    assert isinstance(by_verb, ReviewEvidence) and by_verb.rating == "again"
    assert evidence_for(with_verb(LAUNCHED), CONCEPT, None) is None


def test_completed_and_passed_is_satisfied_by_the_second_of_the_two_verbs() -> None:
    progress = AuProgress()
    mapping = module(MoveOn.COMPLETED_AND_PASSED)
    assert evidence_for(with_verb(PASSED, 0.85), mapping, progress) is None
    done = evidence_for(with_verb(COMPLETED), mapping, progress)
    assert isinstance(done, AttemptEvidence) and done.scaled_score == 0.85
    assert evidence_for(with_verb(COMPLETED), mapping, progress) is None  # once only


@pytest.mark.parametrize(
    ("move_on", "verbs", "satisfied_at"),
    [
        (MoveOn.PASSED, [COMPLETED, ADL_PASSED], 1),
        (MoveOn.COMPLETED, [PASSED, COMPLETED], 1),
        (MoveOn.COMPLETED_OR_PASSED, [LAUNCHED, COMPLETED], 1),
        (MoveOn.NOT_APPLICABLE, [LAUNCHED], 0),
        (MoveOn.COMPLETED_AND_PASSED, [LAUNCHED, WAIVED], 1),
    ],
)
def test_move_on_decides_which_statement_completes_the_module(
    move_on: MoveOn, verbs: list[str], satisfied_at: int
) -> None:
    progress = AuProgress()
    results = [evidence_for(with_verb(v), module(move_on), progress) for v in verbs]
    assert [i for i, r in enumerate(results) if r is not None] == [satisfied_at]


def test_a_completion_only_au_counts_as_full_marks() -> None:
    done = evidence_for(with_verb(COMPLETED), module(MoveOn.COMPLETED), AuProgress())
    assert isinstance(done, AttemptEvidence) and done.scaled_score == 1.0


def test_a_scored_failure_on_a_module_is_a_failed_attempt_and_never_satisfies() -> None:
    progress = AuProgress()
    failure = evidence_for(with_verb(FAILED, 0.5), module(MoveOn.PASSED), progress)
    assert isinstance(failure, AttemptEvidence) and failure.scaled_score == 0.5
    assert not progress.satisfied
