"""Builders for the fidelity domain's unit tests: small instruments and rating sets."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date

import pytest

from services.fidelity.domain.instruments import (
    Domain,
    Instrument,
    InstrumentKind,
    lettered_item,
)
from services.fidelity.domain.scoring import Rating
from services.fidelity.domain.trend import ObservationScore

RateAll = Callable[..., dict[str, Rating]]
Observe = Callable[..., ObservationScore]


@pytest.fixture
def small_instrument() -> Instrument:
    """Two domains, three items: X.A (X.A.1 four indicators, X.A.2 two) and X.B (X.B.1 three)."""
    return Instrument(
        key="small",
        version=1,
        title="Small instrument",
        kind=InstrumentKind.TEAM_MEETING,
        domains=(
            Domain(
                id="X.A",
                title="Domain A",
                items=(
                    lettered_item("X.A.1", "Item A1", (), "a1", "a2", "a3", "a4"),
                    lettered_item("X.A.2", "Item A2", (), "b1", "b2"),
                ),
            ),
            Domain(
                id="X.B",
                title="Domain B",
                items=(lettered_item("X.B.1", "Item B1", (), "c1", "c2", "c3"),),
            ),
        ),
    )


@pytest.fixture
def rate_all() -> RateAll:
    """``rate_all(instrument, rating, {indicator_id: rating, ...})``: every indicator
    gets ``rating`` except the overrides."""

    def build(
        instrument: Instrument,
        rating: Rating = Rating.PRESENT,
        overrides: Mapping[str, Rating] | None = None,
    ) -> dict[str, Rating]:
        ratings = dict.fromkeys(instrument.indicator_ids(), rating)
        ratings.update(overrides or {})
        return ratings

    return build


@pytest.fixture
def observe() -> Observe:
    """``observe("o1", day, total, **domain_scores)``: a scored observation on
    2025-01-<day>, so tests read as a sequence of meetings."""

    def build(observation_id: str, day: int, total: float, **domains: float) -> ObservationScore:
        return ObservationScore(observation_id, date(2025, 1, day), total, domains)

    return build
