"""Observer calibration against a gold standard, and calibration status as of a date.

An observer rates a reference meeting that master raters have already rated (the
gold standard). Kappa against the gold standard >= the bar (default 0.70) makes the
observer *calibrated* for 12 calendar months from the attempt's practice date — on the
reference's instrument only. Calibration is per instrument family (one instrument key,
all its versions): a pass on a Team Meeting reference says nothing about rating with the
Coaching Observation Tool. Only observations made while the observer was calibrated on
their instrument count toward certification, so status is always asked "on" a practice
date, for an instrument.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from services.fidelity.domain.reliability import measure_agreement, pair_ratings
from services.fidelity.domain.scoring import Rating

DEFAULT_CALIBRATION_BAR = 0.70
CALIBRATION_VALIDITY_MONTHS = 12


def add_calendar_months(start: date, months: int) -> date:
    """The same day ``months`` later, clamped to the month's end (Feb 29 + 12 -> Feb 28)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def calibration_expires_on(practice_date: date) -> date:
    """The first day an attempt on ``practice_date`` no longer calibrates.

    Validity is the half-open range [practice_date, expires_on): a pass on
    2024-03-10 calibrates through 2025-03-09. A pass on 2024-02-29 expires on
    2025-02-28 (there is no Feb 29 in 2025, and we never run past twelve months).
    """
    return add_calendar_months(practice_date, CALIBRATION_VALIDITY_MONTHS)


@dataclass(frozen=True, slots=True)
class CalibrationAttempt:
    """One scored calibration attempt, as recorded."""

    attempt_id: str
    observer_id: str
    reference_id: str  # the reference (gold-standard) meeting
    practice_date: date
    kappa: float
    percent_agreement: float
    bar: float
    passed: bool
    instrument_key: str  # the reference's instrument: the family this attempt calibrates

    @property
    def expires_on(self) -> date:
        return calibration_expires_on(self.practice_date)

    def covers(self, on_date: date) -> bool:
        """Whether this attempt makes its observer calibrated on ``on_date``."""
        return self.passed and self.practice_date <= on_date < self.expires_on


def assess_calibration(
    *,
    attempt_id: str,
    observer_id: str,
    reference_id: str,
    instrument_key: str,
    practice_date: date,
    observer_ratings: Mapping[str, Rating],
    gold_ratings: Mapping[str, Rating],
    bar: float = DEFAULT_CALIBRATION_BAR,
) -> CalibrationAttempt:
    """Compare an observer's ratings of a reference meeting with the gold standard.

    Both rating sets should already be validated against the same instrument
    version; ``RatingsNotComparableError`` names an indicator rated by only one side.
    Passing is ``kappa >= bar`` (a kappa exactly at the bar passes).
    """
    if not 0 <= bar <= 1:
        raise ValueError(f"a calibration bar is a kappa in [0, 1], got {bar}")
    result = measure_agreement(pair_ratings(observer_ratings, gold_ratings))
    return CalibrationAttempt(
        attempt_id=attempt_id,
        observer_id=observer_id,
        reference_id=reference_id,
        practice_date=practice_date,
        kappa=result.kappa,
        percent_agreement=result.percent_agreement,
        bar=bar,
        passed=result.kappa >= bar,
        instrument_key=instrument_key,
    )


@dataclass(frozen=True, slots=True)
class CalibrationStatus:
    """Whether an observer was calibrated on an instrument on a date, and the attempt
    that says so."""

    observer_id: str
    instrument_key: str
    on_date: date
    calibrated: bool
    attempt_id: str | None  # the covering pass, or the attempt that explains why not
    expires_on: date | None
    reason: str


def calibration_status_on(
    history: Iterable[CalibrationAttempt], observer_id: str, on_date: date, instrument_key: str
) -> CalibrationStatus:
    """The observer's calibration status on ``instrument_key`` on ``on_date``, from all
    their attempts (attempts on other instruments do not count).

    Attempts after ``on_date`` are ignored, so the answer is the same whenever it is
    asked ("as of" semantics). The covering attempt is the latest pass whose
    validity includes the date. A failed attempt does NOT revoke an earlier pass
    that is still valid: the pass showed the observer could rate to standard, and
    12 months is the agreed shelf life of that evidence. (An agency that wants a
    failure to suspend an observer can record that as a separate decision.)
    """
    attempts = sorted(
        (
            a
            for a in history
            if a.observer_id == observer_id
            and a.instrument_key == instrument_key
            and a.practice_date <= on_date
        ),
        key=lambda a: (a.practice_date, a.attempt_id),
    )
    passes = [a for a in attempts if a.passed]
    if passes and passes[-1].covers(on_date):
        latest = passes[-1]
        return CalibrationStatus(
            observer_id,
            instrument_key,
            on_date,
            calibrated=True,
            attempt_id=latest.attempt_id,
            expires_on=latest.expires_on,
            reason=(
                f"passed calibration {latest.attempt_id} ({instrument_key}) on "
                f"{latest.practice_date} (kappa {latest.kappa:.2f} >= {latest.bar:.2f}), "
                f"valid until {latest.expires_on}"
            ),
        )
    if passes:
        latest = passes[-1]
        return CalibrationStatus(
            observer_id,
            instrument_key,
            on_date,
            calibrated=False,
            attempt_id=latest.attempt_id,
            expires_on=latest.expires_on,
            reason=(
                f"calibration {latest.attempt_id} ({instrument_key}) expired on {latest.expires_on}"
            ),
        )
    if attempts:
        latest = attempts[-1]
        return CalibrationStatus(
            observer_id,
            instrument_key,
            on_date,
            calibrated=False,
            attempt_id=latest.attempt_id,
            expires_on=None,
            reason=(
                f"no passing calibration on {instrument_key}; latest attempt {latest.attempt_id} "
                f"had kappa "
                f"{latest.kappa:.2f} < {latest.bar:.2f}"
            ),
        )
    return CalibrationStatus(
        observer_id,
        instrument_key,
        on_date,
        calibrated=False,
        attempt_id=None,
        expires_on=None,
        reason=f"no calibration attempt on {instrument_key} on or before {on_date}",
    )


def is_calibrated_on(
    history: Iterable[CalibrationAttempt], observer_id: str, on_date: date, instrument_key: str
) -> bool:
    """Shorthand for ``calibration_status_on(...).calibrated``."""
    return calibration_status_on(history, observer_id, on_date, instrument_key).calibrated
