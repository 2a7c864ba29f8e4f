"""A practitioner's fidelity over time: the series a coach charts.

Each point is one scored observation with its total, its domain scores and their
rolling means over the last N observations (default 3). The rolling mean smooths
the noise of any single meeting; drift detection (``drift.py``) reads this series.

Feed observations of ONE practitioner on ONE instrument (team-meeting and coaching
scores are different scales), and only those that count (calibrated observers).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from statistics import fmean

from services.fidelity.domain.scoring import FidelityBand, ScoredObservation, fidelity_band

DEFAULT_ROLLING_WINDOW = 3


@dataclass(frozen=True, slots=True)
class ObservationScore:
    """The scores of one observation, dated by when the meeting happened."""

    observation_id: str
    practice_date: date
    total: float
    domain_scores: Mapping[str, float]

    @classmethod
    def from_scored(
        cls, observation_id: str, practice_date: date, scored: ScoredObservation
    ) -> ObservationScore:
        return cls(observation_id, practice_date, scored.total, scored.domain_scores())


@dataclass(frozen=True, slots=True)
class DomainTrendPoint:
    score: float | None  # None when this observation could not score the domain
    rolling: float | None  # mean of the domain's scores inside the window, if any
    rolling_band: FidelityBand | None


@dataclass(frozen=True, slots=True)
class TrendPoint:
    observation_id: str
    practice_date: date
    total: float
    band: FidelityBand  # of this observation alone
    rolling_total: float
    rolling_band: FidelityBand
    window: tuple[str, ...]  # ids of the observations the rolling values average
    domains: Mapping[str, DomainTrendPoint]  # every domain seen in the series


def chronological(observations: Sequence[ObservationScore]) -> list[ObservationScore]:
    """Sorted by practice date. The sort is stable: same-day observations keep the
    order given, so callers should pass them in recording order."""
    return sorted(observations, key=lambda o: o.practice_date)


def fidelity_trend(
    observations: Sequence[ObservationScore], window: int = DEFAULT_ROLLING_WINDOW
) -> tuple[TrendPoint, ...]:
    """One point per observation, in practice-date order, with rolling means.

    Until N observations exist the window holds all of them (a partial window),
    so the series starts at the first observation. A domain's rolling value is the
    mean of its scores among the observations in the same window: windows stay
    aligned in time with the total, and a meeting where a domain was all N/A
    simply contributes nothing to it.
    """
    if window < 1:
        raise ValueError(f"a rolling window holds at least one observation, got {window}")
    ordered = chronological(observations)
    domain_ids = list(dict.fromkeys(d for o in ordered for d in o.domain_scores))

    points: list[TrendPoint] = []
    for index, observation in enumerate(ordered):
        in_window = ordered[max(0, index - window + 1) : index + 1]
        rolling_total = fmean(o.total for o in in_window)
        domains = {
            domain_id: _domain_point(observation, in_window, domain_id) for domain_id in domain_ids
        }
        points.append(
            TrendPoint(
                observation_id=observation.observation_id,
                practice_date=observation.practice_date,
                total=observation.total,
                band=fidelity_band(observation.total),
                rolling_total=rolling_total,
                rolling_band=fidelity_band(rolling_total),
                window=tuple(o.observation_id for o in in_window),
                domains=domains,
            )
        )
    return tuple(points)


def _domain_point(
    observation: ObservationScore, in_window: Sequence[ObservationScore], domain_id: str
) -> DomainTrendPoint:
    scores = [o.domain_scores[domain_id] for o in in_window if domain_id in o.domain_scores]
    rolling = fmean(scores) if scores else None
    return DomainTrendPoint(
        score=observation.domain_scores.get(domain_id),
        rolling=rolling,
        rolling_band=fidelity_band(rolling) if rolling is not None else None,
    )
