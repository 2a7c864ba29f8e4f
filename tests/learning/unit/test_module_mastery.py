"""Mastery and sequence rules: score bounds, the 0.80 bar, order, enrollment, once only."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone
from itertools import permutations

import pytest

from services.learning.domain.catalog import Catalog
from services.learning.domain.errors import (
    AttemptBeforeEnrollmentError,
    NaivePracticeDateError,
    NotEnrolledError,
    PracticeDateInFutureError,
    ScoreOutOfRangeError,
    UnknownModuleError,
)
from services.learning.domain.mastery import (
    Attempt,
    LearnerProgress,
    decide_attempt,
    earliest_passing,
    enroll,
    previous_mastered_by,
    record_attempt,
)
from services.learning.domain.practice_time import refuse_future
from tests.learning.unit.learning_builders import DAY, T0, an_attempt, enrolled, mastered


@pytest.mark.parametrize("score", [-0.01, 1.01, 80.0, math.nan])
def test_scaled_score_outside_zero_to_one_is_refused(score: float) -> None:
    with pytest.raises(ScoreOutOfRangeError, match="scaled score"):
        an_attempt("M1", score, T0)


@pytest.mark.parametrize("score", [0.0, 1.0])
def test_scaled_score_bounds_are_inclusive(score: float) -> None:
    assert an_attempt("M1", score, T0).scaled_score == score


def test_score_exactly_at_the_mastery_score_masters(catalog: Catalog) -> None:
    outcome = decide_attempt(enrolled(catalog, T0), an_attempt("M1", 0.80, T0 + DAY), catalog)
    assert outcome.mastered and outcome.newly_mastered
    assert outcome.mastery_score == 0.80


def test_score_just_below_the_mastery_score_does_not_master(catalog: Catalog) -> None:
    progress, outcome = record_attempt(
        enrolled(catalog, T0), an_attempt("M1", 0.7999, T0 + DAY), catalog
    )
    assert not outcome.mastered and not outcome.newly_mastered
    assert progress.mastery("M1") is None
    assert [a.passed for a in progress.modules["M1"].attempts] == [False]


def test_first_module_has_no_previous_module_flag(catalog: Catalog) -> None:
    outcome = decide_attempt(enrolled(catalog, T0), an_attempt("M1", 0.9, T0), catalog)
    assert outcome.previous_module_mastered is None


def test_mastering_before_the_previous_module_is_flagged(catalog: Catalog) -> None:
    outcome = decide_attempt(enrolled(catalog, T0), an_attempt("M2", 0.9, T0 + DAY), catalog)
    assert outcome.newly_mastered
    assert outcome.previous_module_mastered is False


def test_mastering_after_the_previous_module_is_flagged(catalog: Catalog) -> None:
    progress = mastered(catalog, enrolled(catalog, T0), "M1", T0 + DAY)
    progress, outcome = record_attempt(progress, an_attempt("M2", 0.9, T0 + 2 * DAY), catalog)
    assert outcome.previous_module_mastered is True
    mastery = progress.mastery("M2")
    assert mastery is not None and mastery.previous_module_mastered is True


def test_previous_module_mastered_later_in_practice_does_not_count(catalog: Catalog) -> None:
    # History imported out of order: M1 mastered on day 5, M2 attempt dated day 3.
    progress = mastered(catalog, enrolled(catalog, T0), "M1", T0 + 5 * DAY)
    outcome = decide_attempt(progress, an_attempt("M2", 0.9, T0 + 3 * DAY), catalog)
    assert outcome.previous_module_mastered is False


def test_previous_module_mastered_at_the_same_instant_counts(catalog: Catalog) -> None:
    progress = mastered(catalog, enrolled(catalog, T0), "M1", T0 + DAY)
    outcome = decide_attempt(progress, an_attempt("M2", 0.9, T0 + DAY), catalog)
    assert outcome.previous_module_mastered is True


def test_attempt_before_enrollment_is_refused(catalog: Catalog) -> None:
    with pytest.raises(AttemptBeforeEnrollmentError, match="precedes the enrollment"):
        decide_attempt(enrolled(catalog, T0), an_attempt("M1", 0.9, T0 - DAY), catalog)


def test_attempt_without_enrollment_is_refused(catalog: Catalog) -> None:
    progress = enrolled(catalog, T0, ["M1"])
    with pytest.raises(NotEnrolledError, match="'M2'"):
        decide_attempt(progress, an_attempt("M2", 0.9, T0 + DAY), catalog)


def test_attempt_on_an_unknown_module_is_refused(catalog: Catalog) -> None:
    with pytest.raises(UnknownModuleError):
        decide_attempt(enrolled(catalog, T0), an_attempt("M9", 0.9, T0 + DAY), catalog)


def test_mastery_is_recorded_once_by_the_first_mastering_attempt(catalog: Catalog) -> None:
    progress, first = record_attempt(
        enrolled(catalog, T0), an_attempt("M1", 0.85, T0 + DAY), catalog
    )
    progress, second = record_attempt(progress, an_attempt("M1", 0.95, T0 + 9 * DAY), catalog)
    assert first.newly_mastered
    assert second.mastered and not second.newly_mastered
    mastery = progress.mastery("M1")
    assert mastery is not None
    assert (mastery.attempt_id, mastery.mastered_at, mastery.scaled_score) == (
        first.attempt_id,
        T0 + DAY,
        0.85,
    )


def test_failed_then_passed_attempts_master_on_the_passing_one(catalog: Catalog) -> None:
    progress, failed = record_attempt(
        enrolled(catalog, T0), an_attempt("M1", 0.6, T0 + DAY), catalog
    )
    progress, passed = record_attempt(progress, an_attempt("M1", 0.8, T0 + 2 * DAY), catalog)
    assert not failed.mastered and passed.newly_mastered
    mastery = progress.mastery("M1")
    assert mastery is not None and mastery.mastered_at == T0 + 2 * DAY


def test_redelivered_attempt_changes_nothing(catalog: Catalog) -> None:
    attempt = an_attempt("M1", 0.9, T0 + DAY)
    once, _ = record_attempt(enrolled(catalog, T0), attempt, catalog)
    twice, outcome = record_attempt(once, attempt, catalog)
    assert twice == once
    assert not outcome.newly_mastered


def test_re_enrolling_keeps_the_earliest_enrollment(catalog: Catalog) -> None:
    progress = enroll(LearnerProgress(), "M1", T0, catalog)
    progress = enroll(progress, "M1", T0 + 10 * DAY, catalog)
    progress = enroll(progress, "M1", T0 - 10 * DAY, catalog)
    module = progress.module("M1")
    assert module is not None and module.enrolled_at == T0 - 10 * DAY


def test_practice_dates_with_an_offset_are_normalised_to_utc() -> None:
    plus_two = timezone(timedelta(hours=2))
    attempt = an_attempt("M1", 0.9, datetime(2026, 1, 5, 11, 0, tzinfo=plus_two))
    assert attempt.attempted_at == T0
    assert attempt.attempted_at.tzinfo is not None
    assert attempt.attempted_at.utcoffset() == timedelta(0)


def test_practice_date_without_a_timezone_is_refused() -> None:
    with pytest.raises(NaivePracticeDateError, match="no timezone"):
        Attempt(attempt_id="a", module_id="M1", scaled_score=0.9, attempted_at=datetime(2026, 1, 5))
    with pytest.raises(NaivePracticeDateError):
        Attempt.model_validate(
            {
                "attempt_id": "a",
                "module_id": "M1",
                "scaled_score": 0.9,
                "attempted_at": "2026-01-05",
            }
        )


def test_practice_date_in_the_future_is_refused_but_the_past_is_fine() -> None:
    assert refuse_future(T0 - 365 * DAY, now=T0) == T0 - 365 * DAY
    with pytest.raises(PracticeDateInFutureError, match="future"):
        refuse_future(T0 + timedelta(seconds=1), now=T0)


def test_a_passing_attempt_dated_before_the_recorded_mastery_replaces_it(
    catalog: Catalog,
) -> None:
    later = an_attempt("M1", 0.9, T0 + 10 * DAY)
    earlier = an_attempt("M1", 0.85, T0 + 2 * DAY)
    progress, _ = record_attempt(enrolled(catalog, T0), later, catalog)

    progress, outcome = record_attempt(progress, earlier, catalog)

    assert outcome.newly_mastered and outcome.supersedes_attempt_id == later.attempt_id
    mastery = progress.mastery("M1")
    assert mastery is not None and (mastery.attempt_id, mastery.mastered_at) == (
        earlier.attempt_id,
        earlier.attempted_at,
    )


def test_the_mastery_is_the_earliest_passing_attempt_whatever_the_arrival_order(
    catalog: Catalog,
) -> None:
    attempts = [
        an_attempt("M1", 0.5, T0 + DAY),
        an_attempt("M1", 0.9, T0 + 4 * DAY),
        an_attempt("M1", 0.95, T0 + 9 * DAY),
    ]
    masteries = set()
    for order in permutations(attempts):
        progress = enrolled(catalog, T0)
        for attempt in order:
            progress, _ = record_attempt(progress, attempt, catalog)
        mastery = progress.mastery("M1")
        assert mastery is not None
        masteries.add((mastery.attempt_id, mastery.mastered_at))

    assert masteries == {(attempts[1].attempt_id, attempts[1].attempted_at)}


def test_module_order_is_read_from_the_mastery_dates_whatever_order_they_arrived_in(
    catalog: Catalog,
) -> None:
    progress, m2 = record_attempt(
        enrolled(catalog, T0), an_attempt("M2", 0.9, T0 + 2 * DAY), catalog
    )
    progress = mastered(catalog, progress, "M1", T0 + DAY)  # imported later, earlier in practice

    assert m2.previous_module_mastered is False  # all that was known when M2 was recorded
    assert previous_mastered_by(progress, catalog, "M2", T0 + 2 * DAY) is True
    assert previous_mastered_by(progress, catalog, "M2", T0 + DAY / 2) is False
    assert previous_mastered_by(progress, catalog, "M1", T0) is True  # nothing before M1


def test_the_earliest_passing_attempt_is_what_the_mastery_falls_back_to(catalog: Catalog) -> None:
    progress = enrolled(catalog, T0)
    for attempt in (
        an_attempt("M1", 0.95, T0 + 5 * DAY),
        an_attempt("M1", 0.4, T0 + DAY),
        an_attempt("M1", 0.85, T0 + 3 * DAY),
    ):
        progress, _ = record_attempt(progress, attempt, catalog)

    earliest = earliest_passing(progress.modules["M1"])

    assert earliest is not None and (earliest.attempted_at, earliest.scaled_score) == (
        T0 + 3 * DAY,
        0.85,
    )


def test_attempts_are_kept_in_practice_order_whatever_order_they_arrive_in(
    catalog: Catalog,
) -> None:
    progress = enrolled(catalog, T0)
    arrivals = [(3, "c"), (1, "a"), (3, "d"), (2, "b"), (1, "a2")]
    for days, attempt_id in arrivals:
        attempt = an_attempt("M1", 0.5, T0 + days * DAY).model_copy(
            update={"attempt_id": attempt_id}
        )
        progress, _ = record_attempt(progress, attempt, catalog)
    # by practice time; attempts at the same time in the order they arrived
    assert [a.attempt_id for a in progress.modules["M1"].attempts] == ["a", "a2", "b", "c", "d"]
