"""Scoring an observation: indicator ratings -> item, domain and total percentages.

The rules (Wraparound Team Observation Measure):

* item score   = present / applicable indicators (N/A indicators are left out);
* domain score = mean of the domain's item scores;
* total        = mean of ALL item scores (not the mean of domains, so a domain
                 with more items weighs more);
* an item whose indicators are all N/A is left out of its domain and the total;
  a domain with no scorable item is left out;
* all scores are percentages, 0-100.

Arithmetic is exact (integer numerators over a common denominator) and converted to
float only at the end, so an observation that is exactly 85 % is never banded as
84.999... %.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from math import isnan, lcm
from operator import mul
from typing import Any

from services.fidelity.domain.errors import (
    DuplicateRatingError,
    InvalidRatingError,
    MissingRatingError,
    UnknownIndicatorError,
    UnscorableObservationError,
)
from services.fidelity.domain.instruments import Instrument


class Rating(StrEnum):
    """What the observer saw for one indicator."""

    PRESENT = "present"
    ABSENT = "absent"
    NOT_APPLICABLE = "not_applicable"


class FidelityBand(StrEnum):
    """Fidelity bands for Wraparound practice (Effland, McIntyre & Walton 2010)."""

    HIGH = "high"
    ADEQUATE = "adequate"
    BORDERLINE = "borderline"
    BELOW = "below"


# Lowest band first, so "a lower band" is a smaller index.
BAND_ORDER: tuple[FidelityBand, ...] = (
    FidelityBand.BELOW,
    FidelityBand.BORDERLINE,
    FidelityBand.ADEQUATE,
    FidelityBand.HIGH,
)

RatingsInput = Mapping[str, Rating] | Iterable[tuple[str, Rating]]


def fidelity_band(total: float) -> FidelityBand:
    """The band of a percentage score.

    The published bands are "High > 85, Adequate 75-85, Borderline 65-75, Below < 65",
    which puts 75 on two band edges. Adequate takes both of its edges: exactly 85 is
    Adequate (High needs strictly more, as published) and exactly 75 is Adequate, not
    Borderline; exactly 65 is Borderline (Below is strictly less, as published). So:
    High: x > 85; Adequate: 75 <= x <= 85; Borderline: 65 <= x < 75; Below: x < 65.
    """
    if isnan(total) or not 0 <= total <= 100:
        raise ValueError(f"a fidelity score is a percentage in [0, 100], got {total}")
    if total > 85:
        return FidelityBand.HIGH
    if total >= 75:
        return FidelityBand.ADEQUATE
    if total >= 65:
        return FidelityBand.BORDERLINE
    return FidelityBand.BELOW


def band_rank(band: FidelityBand) -> int:
    """0 for Below up to 3 for High; compare ranks to tell a drop."""
    return BAND_ORDER.index(band)


@dataclass(frozen=True, slots=True)
class ItemScore:
    item_id: str
    domain_id: str
    present: int
    applicable: int
    score: float  # percentage


@dataclass(frozen=True, slots=True)
class DomainScore:
    domain_id: str
    score: float  # percentage: mean of its scored items
    band: FidelityBand
    item_count: int  # scored items only


@dataclass(frozen=True, slots=True)
class ScoredObservation:
    """The result of scoring one observation on one instrument version."""

    instrument_key: str
    instrument_version: int
    total: float  # percentage: mean of all scored items
    band: FidelityBand
    domains: tuple[DomainScore, ...]  # scored domains only, instrument order
    items: tuple[ItemScore, ...]  # scored items only, instrument order

    def domain_scores(self) -> dict[str, float]:
        return {d.domain_id: d.score for d in self.domains}

    def lowest_domain(self) -> DomainScore:
        return min(self.domains, key=lambda d: d.score)


def validate_ratings(instrument: Instrument, ratings: RatingsInput) -> dict[str, Rating]:
    """Check that ``ratings`` rate every indicator of ``instrument`` exactly once.

    Accepts a mapping or a sequence of ``(indicator_id, rating)`` pairs (the form an
    API body arrives in, where duplicates are possible). Returns the ratings as a
    dict in instrument order. Raises, naming the indicator, in this order of checks:
    ``DuplicateRatingError``, ``InvalidRatingError``, ``UnknownIndicatorError``,
    ``MissingRatingError``.
    Not-applicable must be stated explicitly: silence is not "N/A".
    """
    pairs = list(ratings.items()) if isinstance(ratings, Mapping) else list(ratings)
    valid = _valid_at_once(instrument, pairs)
    if valid is None:  # something is wrong: the checks one by one name the first fault
        valid = validated_step_by_step(instrument, pairs)
    return valid


def validated_step_by_step(instrument: Instrument, pairs: list[Any]) -> dict[str, Rating]:
    """`validate_ratings` check by check, in its order (the answer for a faulty input)."""
    given: dict[str, Rating] = {}
    for indicator_id, value in pairs:
        if indicator_id in given:
            raise DuplicateRatingError(
                f"indicator {indicator_id!r} is rated more than once", indicator_id
            )
        given[indicator_id] = _as_rating(indicator_id, value)
    indicator_ids = instrument.indicator_ids()  # once: a private attribute is slow to reach
    known = set(indicator_ids)
    for indicator_id in given:
        if indicator_id not in known:
            raise UnknownIndicatorError(
                f"indicator {indicator_id!r} is not in instrument {instrument.ref}", indicator_id
            )
    for indicator_id in indicator_ids:
        if indicator_id not in given:
            raise MissingRatingError(f"indicator {indicator_id!r} has no rating", indicator_id)
    return {indicator_id: given[indicator_id] for indicator_id in indicator_ids}


def score_observation(instrument: Instrument, ratings: RatingsInput) -> ScoredObservation:
    """Validate the ratings and score them; ``UnscorableObservationError`` if all are N/A."""
    return score_valid_ratings(instrument, validate_ratings(instrument, ratings))


def score_valid_ratings(instrument: Instrument, valid: Mapping[str, Rating]) -> ScoredObservation:
    """`score_observation` of ratings `validate_ratings` has already answered (not checked
    again); ``UnscorableObservationError`` if all are N/A."""
    items: list[ItemScore] = []
    # each scored item's exact score 100·present/applicable: its numerator and denominator
    numerators: list[int] = []
    denominators: list[int] = []
    domains: list[DomainScore] = []
    rated = [valid[i] for i in instrument.indicator_ids()]
    for domain_id, domain_items in instrument.item_spans():
        first = len(numerators)
        for item_id, start, end in domain_items:
            of_item = rated[start:end]
            applicable = end - start - of_item.count(Rating.NOT_APPLICABLE)
            if not applicable:
                continue  # nothing to observe for this item in this meeting
            present = of_item.count(Rating.PRESENT)
            items.append(_item_score(item_id, domain_id, present, applicable))
            numerators.append(100 * present)
            denominators.append(applicable)
        count = len(numerators) - first
        if not count:
            continue  # no scorable item: the domain is left out, not scored 0
        score = _mean(numerators[first:], denominators[first:])
        domains.append(_domain_score(domain_id, score, count))

    if not numerators:
        raise UnscorableObservationError(
            f"every indicator of {instrument.ref} is rated not applicable; "
            "there is nothing to score"
        )

    total = _mean(numerators, denominators)
    return ScoredObservation(
        instrument_key=instrument.key,
        instrument_version=instrument.version,
        total=total,
        band=fidelity_band(total),
        domains=tuple(domains),
        items=tuple(items),
    )


_RATINGS: dict[str, Rating] = {rating.value: rating for rating in Rating}
_VALUES: dict[Rating, str] = {rating: rating.value for rating in Rating}


def rating_values(ratings: Mapping[str, Rating]) -> dict[str, str]:
    """The ratings as plain strings, as events and rows carry them (a look-up each: an
    enum member's `.value` is a property call)."""
    return {indicator_id: _VALUES[rating] for indicator_id, rating in ratings.items()}


def _valid_at_once(instrument: Instrument, pairs: list[Any]) -> dict[str, Rating] | None:
    """The usual case in one pass: every indicator of the instrument rated once with a
    known rating gives the ratings in instrument order; anything else gives None (the
    careful checks then name the first fault, as they always did)."""
    indicator_ids = instrument.indicator_ids()
    if len(pairs) != len(indicator_ids):
        return None
    try:
        given = dict(pairs)
        if len(given) != len(pairs) or given.keys() != instrument.known_indicators():
            return None  # a duplicate, or an unknown indicator with one missing
        return {indicator_id: _RATINGS[given[indicator_id]] for indicator_id in indicator_ids}
    except (KeyError, TypeError, ValueError):
        return None  # an unknown rating, or a value or pair that is not one at all


@functools.lru_cache(maxsize=4096)
def _item_score(item_id: str, domain_id: str, present: int, applicable: int) -> ItemScore:
    """An item's score, the same frozen value for the same counts (an instrument's items
    have few possible counts: building it anew each time costs more than finding it)."""
    return ItemScore(item_id, domain_id, present, applicable, 100 * present / applicable)


@functools.lru_cache(maxsize=4096)
def _domain_score(domain_id: str, score: float, item_count: int) -> DomainScore:
    """A domain's score, found again like `_item_score`'s."""
    return DomainScore(domain_id, score, fidelity_band(score), item_count)


def _as_rating(indicator_id: str, value: str) -> Rating:
    # Ratings may arrive as raw strings from an API; name the indicator if one is wrong.
    rating = _RATINGS.get(value) if isinstance(value, str) else None
    if rating is None:
        allowed = ", ".join(r.value for r in Rating)
        raise InvalidRatingError(
            f"rating {value!r} for indicator {indicator_id!r} is not one of {allowed}",
            indicator_id,
        )
    return rating


def _mean(numerators: list[int], denominators: list[int]) -> float:
    """The mean of exact fractions (numerators over denominators), rounded once at the
    end: the sum is exact over one common denominator, and dividing two ints rounds
    correctly, so the float is that of the exact mean (as `Fraction` arithmetic gives, at
    a fraction of its cost; the products are taken in C, not in a generator)."""
    common = lcm(*denominators)
    scale = [common // denominator for denominator in denominators]
    total: int = sum(map(mul, numerators, scale))
    return total / (common * len(numerators))
