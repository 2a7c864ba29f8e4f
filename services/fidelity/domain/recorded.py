"""The `observation_recorded` event of a scored observation: one builder for the POST,
the batched import and the paper record, so their events cannot drift apart."""

from __future__ import annotations

from datetime import date

from services.fidelity.domain.events import ObservationRecorded
from services.fidelity.domain.instruments import Instrument
from services.fidelity.domain.scoring import ScoredObservation


def observation_recorded(
    *,
    observation_id: str,
    practitioner_id: str,
    observer_id: str,
    meeting_date: date,
    setting: str,
    instrument: Instrument,
    scored: ScoredObservation,
    observer_calibrated: bool,
    ratings: dict[str, str],
    co_observation_of: str | None = None,
    from_paper: bool = False,
) -> ObservationRecorded:
    """The event; `from_paper` marks a historical paper record (imported, no ratings)."""
    return ObservationRecorded(
        observation_id=observation_id,
        practitioner_id=practitioner_id,
        observer_id=observer_id,
        instrument_key=instrument.key,
        instrument_version=instrument.version,
        instrument_kind=instrument.kind.value,
        meeting_date=meeting_date,
        setting=setting,
        total=scored.total,
        band=scored.band.value,
        domain_scores=scored.domain_scores(),
        observer_calibrated=observer_calibrated,
        co_observation_of=co_observation_of,
        ratings=ratings,
        imported=from_paper,
        source="paper" if from_paper else "observed",
    )
