"""Scores of a historical observation transcribed from paper: domains and total, no ratings.

A paper form kept the observer's domain percentages and the total, not which indicator
was present, so nothing can be re-scored: the scores are checked against the instrument
(every domain named is one of its domains, once, each a percentage) and banded as a live
observation's scores are.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from services.fidelity.domain.errors import InvalidObservationError
from services.fidelity.domain.instruments import Instrument
from services.fidelity.domain.scoring import DomainScore, ScoredObservation, fidelity_band


def _percentage(value: float, what: str) -> float:
    if not math.isfinite(value) or not 0 <= value <= 100:
        raise InvalidObservationError(f"{what} must be a percentage from 0 to 100 (got {value})")
    return float(value)


def score_paper_observation(
    instrument: Instrument, domain_scores: Sequence[tuple[str, float]], total: float
) -> ScoredObservation:
    """The paper record as a scored observation with domain scores only (no items)."""
    if not domain_scores:
        raise InvalidObservationError("a paper observation needs at least one domain score")
    given: dict[str, float] = {}
    for domain_id, score in domain_scores:
        if instrument.domain(domain_id) is None:
            known = ", ".join(d.id for d in instrument.domains)
            raise InvalidObservationError(
                f"domain {domain_id!r} is not a domain of instrument {instrument.ref}; "
                f"its domains are: {known}"
            )
        if domain_id in given:
            raise InvalidObservationError(f"domain {domain_id!r} is scored more than once")
        given[domain_id] = _percentage(score, f"the score of domain {domain_id!r}")
    checked_total = _percentage(total, "total")
    domains = tuple(
        DomainScore(d.id, given[d.id], fidelity_band(given[d.id]), item_count=0)
        for d in instrument.domains
        if d.id in given
    )
    return ScoredObservation(
        instrument_key=instrument.key,
        instrument_version=instrument.version,
        total=checked_total,
        band=fidelity_band(checked_total),
        domains=domains,
        items=(),
    )
