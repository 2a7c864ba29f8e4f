"""Observer calibration, decided on the meeting date when evidence is folded.

Fidelity's ``observation_recorded`` carries ``observer_calibrated`` as fidelity knew it
when the observation was written; a calibration attempt recorded later (an agency
importing its history) never reaches that flag. Certification therefore keeps the
agency's passed calibrations (from fidelity's ``observer_calibrated`` events) and
decides, for each observation, whether its observer held one on its instrument family
(the instrument key, every version) on the meeting date. Pure: the adapter that loads
the evidence hands the calibrations in.

The upstream flag still counts when true: fidelity sets it only when it held a covering
pass on that family, and every pass also reaches certification, so once the calibrations
have arrived the flag adds nothing, and history whose calibrations passed before
certification kept them keeps counting.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from services.certification.domain.evidence import Evidence, ObservationRecorded
from services.certification.domain.rule_answers import RuleAnswers


@dataclass(frozen=True, slots=True)
class Calibration:
    """A passed calibration: ``observer_id`` rates ``instrument_key`` to standard on
    the days [``valid_from``, ``valid_until``)."""

    attempt_id: str
    observer_id: str
    instrument_key: str
    valid_from: date
    valid_until: date

    def covers(self, observer_id: str, instrument_key: str, on: date) -> bool:
        return (
            self.observer_id == observer_id
            and self.instrument_key == instrument_key
            and self.valid_from <= on < self.valid_until
        )


def calibrated_on(
    calibrations: Iterable[Calibration], observer_id: str, instrument_key: str, on: date
) -> bool:
    """Whether ``observer_id`` held a calibration on ``instrument_key`` on ``on``."""
    return any(c.covers(observer_id, instrument_key, on) for c in calibrations)


def with_calibration(item: Evidence, calibrations: Iterable[Calibration]) -> Evidence:
    """``item`` with ``observer_calibrated`` decided on its meeting date (other evidence
    unchanged)."""
    if not isinstance(item, ObservationRecorded) or item.observer_calibrated:
        return item
    if calibrated_on(calibrations, item.observer_id, item.instrument_key, item.occurred_on):
        return _CALIBRATED.get(item, None, _calibrated, item)
    return item


def _calibrated(item: ObservationRecorded) -> ObservationRecorded:
    return item.model_copy(update={"observer_calibrated": True})


# The calibrated copy of an observation, made once per parsed item: deciding again at
# every evaluation (the calibrations are read fresh each time) hands back the same
# object, so a replay resumed from a snapshot sees the very item it folded (a copy is a
# pure function of the item, held with it, so it can never be another item's).
_CALIBRATED: RuleAnswers[ObservationRecorded] = RuleAnswers()


def decide_calibrations(
    items: Iterable[Evidence], calibrations: Iterable[Calibration]
) -> list[Evidence]:
    """Every item, each observation's calibration decided from ``calibrations``."""
    by_observer: dict[str, list[Calibration]] = {}
    for calibration in calibrations:
        by_observer.setdefault(calibration.observer_id, []).append(calibration)
    return [
        with_calibration(item, by_observer.get(item.observer_id, ()))
        if isinstance(item, ObservationRecorded)
        else item
        for item in items
    ]
