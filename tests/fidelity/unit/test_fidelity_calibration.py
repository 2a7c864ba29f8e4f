"""Observer calibration: passing the bar against a gold standard, 12-month validity."""

from __future__ import annotations

from datetime import date

import pytest

from services.fidelity.domain.calibration import (
    CalibrationAttempt,
    add_calendar_months,
    assess_calibration,
    calibration_expires_on,
    calibration_status_on,
    is_calibrated_on,
)
from services.fidelity.domain.errors import RatingsNotComparableError
from services.fidelity.domain.scoring import Rating

P, A = Rating.PRESENT, Rating.ABSENT
TEAM, COACHING = "team-meeting-observation", "coaching-observation"


def _ratings(*values: Rating) -> dict[str, Rating]:
    return {f"i{n}": value for n, value in enumerate(values)}


def _attempt(
    attempt_id: str,
    practice_date: date,
    *,
    passed: bool = True,
    observer_id: str = "obs-1",
    instrument: str = TEAM,
) -> CalibrationAttempt:
    kappa = 0.8 if passed else 0.5
    return CalibrationAttempt(
        attempt_id, observer_id, "ref-1", practice_date, kappa, 90.0, 0.70, passed, instrument
    )


# --- assessing an attempt ---------------------------------------------------------


def test_kappa_exactly_at_the_bar_passes() -> None:
    # 40 indicators: PP 17, PA 3, AP 3, AA 17 -> p_o 0.85, p_e 0.5, kappa exactly 0.70.
    gold = _ratings(*[P] * 20, *[A] * 20)
    observer = _ratings(*[P] * 17, *[A] * 3, *[P] * 3, *[A] * 17)
    attempt = assess_calibration(
        attempt_id="cal-1",
        observer_id="obs-1",
        reference_id="ref-1",
        instrument_key=TEAM,
        practice_date=date(2025, 3, 10),
        observer_ratings=observer,
        gold_ratings=gold,
    )
    assert attempt.kappa == pytest.approx(0.70)
    assert attempt.percent_agreement == pytest.approx(85.0)
    assert attempt.passed


def test_kappa_below_the_bar_fails() -> None:
    # PP 20, PA 5, AP 10, AA 15: the Wikipedia table, kappa 0.4.
    observer = _ratings(*[P] * 25, *[A] * 25)
    gold = _ratings(*[P] * 20, *[A] * 5, *[P] * 10, *[A] * 15)
    attempt = assess_calibration(
        attempt_id="cal-1",
        observer_id="obs-1",
        reference_id="ref-1",
        instrument_key=TEAM,
        practice_date=date(2025, 3, 10),
        observer_ratings=observer,
        gold_ratings=gold,
    )
    assert attempt.kappa == pytest.approx(0.4)
    assert not attempt.passed


def test_the_bar_is_a_parameter() -> None:
    observer = _ratings(*[P] * 25, *[A] * 25)
    gold = _ratings(*[P] * 20, *[A] * 5, *[P] * 10, *[A] * 15)
    attempt = assess_calibration(
        attempt_id="cal-1",
        observer_id="obs-1",
        reference_id="ref-1",
        instrument_key=TEAM,
        practice_date=date(2025, 3, 10),
        observer_ratings=observer,
        gold_ratings=gold,
        bar=0.4,
    )
    assert attempt.passed
    assert attempt.bar == 0.4


def test_an_attempt_that_skips_a_gold_indicator_is_refused() -> None:
    with pytest.raises(RatingsNotComparableError) as raised:
        assess_calibration(
            attempt_id="cal-1",
            observer_id="obs-1",
            reference_id="ref-1",
            instrument_key=TEAM,
            practice_date=date(2025, 3, 10),
            observer_ratings=_ratings(P),
            gold_ratings=_ratings(P, A),
        )
    assert raised.value.indicator_id == "i1"


# --- calendar months --------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2024, 3, 10), 12, date(2025, 3, 10)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 12, 15), 1, date(2025, 1, 15)),
    ],
)
def test_add_calendar_months_clamps_to_the_end_of_month(
    start: date, months: int, expected: date
) -> None:
    assert add_calendar_months(start, months) == expected


# --- status on a date -------------------------------------------------------------


def test_calibration_lasts_twelve_months_from_the_practice_date() -> None:
    history = [_attempt("cal-1", date(2024, 3, 10))]
    assert is_calibrated_on(history, "obs-1", date(2024, 3, 10), TEAM)
    assert is_calibrated_on(history, "obs-1", date(2025, 3, 9), TEAM)
    expired = calibration_status_on(history, "obs-1", date(2025, 3, 10), TEAM)
    assert not expired.calibrated
    assert expired.attempt_id == "cal-1"
    assert "expired on 2025-03-10" in expired.reason


def test_a_leap_day_pass_expires_on_the_28th_of_february() -> None:
    history = [_attempt("cal-1", date(2024, 2, 29))]
    assert calibration_expires_on(date(2024, 2, 29)) == date(2025, 2, 28)
    assert is_calibrated_on(history, "obs-1", date(2025, 2, 27), TEAM)
    assert not is_calibrated_on(history, "obs-1", date(2025, 2, 28), TEAM)


def test_an_attempt_after_the_date_does_not_count_yet() -> None:
    history = [_attempt("cal-1", date(2025, 6, 1))]
    status = calibration_status_on(history, "obs-1", date(2025, 5, 31), TEAM)
    assert not status.calibrated
    assert status.attempt_id is None
    assert "no calibration attempt" in status.reason


def test_a_failed_later_attempt_does_not_revoke_a_valid_pass() -> None:
    history = [
        _attempt("cal-1", date(2025, 1, 10)),
        _attempt("cal-2", date(2025, 6, 1), passed=False),
    ]
    status = calibration_status_on(history, "obs-1", date(2025, 7, 1), TEAM)
    assert status.calibrated
    assert status.attempt_id == "cal-1"
    assert status.expires_on == date(2026, 1, 10)


def test_a_later_pass_extends_calibration() -> None:
    history = [_attempt("cal-1", date(2024, 1, 10)), _attempt("cal-2", date(2024, 11, 5))]
    status = calibration_status_on(history, "obs-1", date(2025, 6, 1), TEAM)
    assert status.calibrated
    assert status.attempt_id == "cal-2"
    assert status.expires_on == date(2025, 11, 5)


def test_only_failed_attempts_leave_the_observer_uncalibrated_with_a_reason() -> None:
    history = [_attempt("cal-1", date(2025, 1, 10), passed=False)]
    status = calibration_status_on(history, "obs-1", date(2025, 2, 1), TEAM)
    assert not status.calibrated
    assert status.attempt_id == "cal-1"
    assert "0.50 < 0.70" in status.reason


def test_another_observers_pass_does_not_count() -> None:
    history = [_attempt("cal-1", date(2025, 1, 10), observer_id="obs-2")]
    assert not is_calibrated_on(history, "obs-1", date(2025, 2, 1), TEAM)
    assert is_calibrated_on(history, "obs-2", date(2025, 2, 1), TEAM)


def test_a_pass_on_one_instrument_does_not_calibrate_another() -> None:
    history = [_attempt("cal-1", date(2025, 1, 10), instrument=TEAM)]

    other = calibration_status_on(history, "obs-1", date(2025, 2, 1), COACHING)

    assert is_calibrated_on(history, "obs-1", date(2025, 2, 1), TEAM)
    assert not other.calibrated
    assert other.instrument_key == COACHING
    assert "no calibration attempt on coaching-observation" in other.reason


def test_a_failure_on_another_instrument_is_not_the_reason_given() -> None:
    history = [_attempt("cal-1", date(2025, 1, 10), passed=False, instrument=COACHING)]

    status = calibration_status_on(history, "obs-1", date(2025, 2, 1), TEAM)

    assert (status.calibrated, status.attempt_id) == (False, None)
