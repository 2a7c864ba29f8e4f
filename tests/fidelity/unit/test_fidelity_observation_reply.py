"""A recorded observation's reply is written straight from the row the recording built:
its JSON must be, byte for byte, what `ObservationPublic` answers for the same row (as a
later read of the observation does)."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest
from pydantic import TypeAdapter

from services.fidelity.adapters.observation_rows import observation_row
from services.fidelity.domain.recorded import observation_recorded
from services.fidelity.domain.scoring import Rating, UnscorableObservationError, score_observation
from services.fidelity.domain.seed_instruments import SEED_INSTRUMENTS
from services.fidelity.handlers.co_observation import compare_with_first
from services.fidelity.handlers.observations import (
    new_observation_json,
    observation_public,
    with_comparison,
)
from services.fidelity.models.observations import ObservationPublic

PUBLIC: TypeAdapter[ObservationPublic] = TypeAdapter(ObservationPublic)


def _model_reply(row: Any) -> bytes:
    """What the route answers for the model (FastAPI's serialization of its response)."""
    return PUBLIC.dump_json(observation_public(row), by_alias=True)


def _recorded_row(
    draw: random.Random, first: dict[str, Any] | None = None, calibrated: bool = True
) -> dict[str, Any]:
    instrument = SEED_INSTRUMENTS[0] if first else draw.choice(SEED_INSTRUMENTS)
    while True:
        choices = list(Rating)
        ratings = {i: draw.choice(choices) for i in instrument.indicator_ids()}
        try:
            scored = score_observation(instrument, ratings)
            break
        except UnscorableObservationError:
            continue
    recorded = observation_recorded(
        observation_id=str(uuid.uuid4()),
        practitioner_id="prac-1",
        observer_id="obs-2" if first else "obs-1",
        meeting_date=date(2025, 3, draw.randint(1, 28)),
        setting="family home",
        instrument=instrument,
        scored=scored,
        observer_calibrated=calibrated,
        ratings={i: r.value for i, r in ratings.items()},
        co_observation_of=str(first["id"]) if first else None,
    )
    compared = compare_with_first(first, recorded, ratings) if first else None  # type: ignore[arg-type]
    written = observation_row(
        "agency-a",
        recorded,
        scored,
        calibration_reason="passed calibration" if calibrated else "not calibrated",
        content_hash="f" * 64,
        recorded_by="agency-a/obs-1",
    )
    at = datetime(2025, 4, 1, 9, draw.randint(0, 59), draw.randint(0, 59), 123456, tzinfo=UTC)
    return with_comparison(written.stored(at), compared)


@pytest.mark.parametrize("seed", range(6))
def test_a_new_observations_reply_is_the_models_json(seed: int) -> None:
    draw = random.Random(seed)
    row = _recorded_row(draw, calibrated=seed % 2 == 0)
    assert new_observation_json(row) == _model_reply(row)


def test_a_co_observations_reply_with_its_agreement_is_the_models_json() -> None:
    draw = random.Random(21)
    first = _recorded_row(draw, first=None)
    while first["instrument_key"] != SEED_INSTRUMENTS[0].key:
        first = _recorded_row(draw, first=None)
    for _ in range(5):
        row = _recorded_row(draw, first=first)
        assert row["kappa"] is not None
        assert new_observation_json(row) == _model_reply(row)
