"""The fidelity service's events: past-tense facts, payloads as in docs/events.md.

`observation_recorded` is the contract certification reads; the others are for coaches'
and agency apps. Payloads carry what a projection needs to be rebuilt from the log
(ratings, the instrument definition), as optional additions to the documented fields.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from shared.events import DomainEvent, EventRegistry


class InstrumentPublished(DomainEvent):
    """An agency published its own version of an instrument (seed versions are global)."""

    instrument_key: str
    instrument_version: int
    instrument_kind: str
    title: str
    indicator_count: int
    definition: dict[str, Any]  # the domains -> items -> indicators tree


class ObservationRecorded(DomainEvent):
    observation_id: str
    practitioner_id: str
    observer_id: str
    instrument_key: str
    instrument_version: int
    instrument_kind: str
    meeting_date: date
    setting: str
    total: float
    band: str
    domain_scores: dict[str, float]
    observer_calibrated: bool
    co_observation_of: str | None
    ratings: dict[str, str] = {}  # indicator id -> present / absent / not_applicable
    # a historical record imported from paper: domain and total scores, no ratings
    imported: bool = False
    source: Literal["observed", "paper"] = "observed"


class CoObservationCompared(DomainEvent):
    """Two observers scored the same meeting; their agreement over the indicators."""

    observation_id: str  # the co-observation
    co_observation_of: str  # the observation it was compared with
    practitioner_id: str
    first_observer_id: str
    second_observer_id: str
    instrument_key: str
    instrument_version: int
    meeting_date: date
    indicator_count: int
    percent_agreement: float
    expected_agreement: float  # p_e, 0-1
    kappa: float


class CalibrationReferenceCreated(DomainEvent):
    """A reference meeting with master raters' gold-standard ratings."""

    reference_id: str
    title: str
    instrument_key: str
    instrument_version: int
    meeting_date: date
    gold_ratings: dict[str, str]


class ObserverCalibrated(DomainEvent):
    attempt_id: str
    observer_id: str
    reference_id: str
    instrument_key: str
    instrument_version: int
    attempted_on: date
    kappa: float
    percent_agreement: float
    bar: float
    expires_on: date  # first day this attempt no longer calibrates (12 months on)
    ratings: dict[str, str] = {}


class ObserverCalibrationFailed(DomainEvent):
    attempt_id: str
    observer_id: str
    reference_id: str
    instrument_key: str
    instrument_version: int
    attempted_on: date
    kappa: float
    percent_agreement: float
    bar: float
    ratings: dict[str, str] = {}


class FidelityDriftDetected(DomainEvent):
    """A practitioner's fidelity fell a band or trended down; emitted once per signal."""

    drift_id: str  # derived from the signal's identity, so the same signal has one id
    practitioner_id: str
    instrument_key: str
    kind: str  # band_drop / downward_trend
    domain_id: str | None  # None: the total
    observation_id: str  # the observation at which the drift shows
    detected_on: date  # that observation's meeting date
    observation_ids: list[str]  # the evidence, oldest first
    from_band: str | None
    to_band: str | None
    drop: float  # points lost
    reason: str


registry = EventRegistry()
for _event in (
    InstrumentPublished,
    ObservationRecorded,
    CoObservationCompared,
    CalibrationReferenceCreated,
    ObserverCalibrated,
    ObserverCalibrationFailed,
    FidelityDriftDetected,
):
    registry.register(_event)
