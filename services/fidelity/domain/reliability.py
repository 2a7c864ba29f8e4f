"""Inter-rater reliability: percent agreement and Cohen's kappa.

When two observers rate the same meeting on the same instrument, their ratings are
paired indicator by indicator and compared over the three categories (present,
absent, not applicable). Kappa corrects raw agreement for the agreement expected
by chance from each rater's own category frequencies:

    kappa = (p_o - p_e) / (1 - p_e)

Reference point: the Team Observation Measure reported a pooled kappa of 0.733
across 23 rater pairs. The functions are generic over any hashable category so the
maths can be checked against published two-category examples.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TypeVar

from services.fidelity.domain.errors import RatingsNotComparableError
from services.fidelity.domain.scoring import Rating

C = TypeVar("C", bound=Hashable)


@dataclass(frozen=True, slots=True)
class Agreement:
    """Agreement between two raters over ``n`` paired ratings."""

    n: int
    observed: float  # p_o, proportion 0-1 of pairs where the raters agree
    expected: float  # p_e, proportion 0-1 of agreement expected by chance
    kappa: float

    @property
    def percent_agreement(self) -> float:
        return self.observed * 100


def measure_agreement(pairs: Sequence[tuple[C, C]]) -> Agreement:
    """Percent agreement and Cohen's kappa over ``(rater_a, rater_b)`` pairs.

    Degenerate case: p_e = 1 happens only when both raters put every rating in the
    same single category (e.g. both rate everything "present"). The formula is then
    0/0. We define kappa = 1.0 when agreement is perfect and 0.0 otherwise (the
    second branch cannot occur with exact arithmetic but guards the definition),
    rather than NaN, so that one such pair cannot poison a pooled or mean kappa.
    """
    if not pairs:
        raise RatingsNotComparableError("there are no paired ratings to compare")
    n = len(pairs)
    p_o = Fraction(sum(1 for a, b in pairs if a == b), n)
    p_e = _chance_agreement(pairs)
    kappa = _degenerate_kappa(p_o) if p_e == 1 else (p_o - p_e) / (1 - p_e)
    return Agreement(n=n, observed=float(p_o), expected=float(p_e), kappa=float(kappa))


def cohens_kappa(pairs: Sequence[tuple[C, C]]) -> float:
    return measure_agreement(pairs).kappa


def percent_agreement(pairs: Sequence[tuple[C, C]]) -> float:
    """Share of pairs where both raters agree, as a percentage 0-100."""
    return measure_agreement(pairs).percent_agreement


def pair_ratings(
    rater_a: Mapping[str, Rating], rater_b: Mapping[str, Rating]
) -> list[tuple[Rating, Rating]]:
    """Pair two raters' ratings of the same indicators, in ``rater_a``'s order.

    Both must rate exactly the same indicators (two validated observations on one
    instrument version do); otherwise ``RatingsNotComparableError`` names the first
    indicator only one of them rated.
    """
    for indicator_id in rater_a:
        if indicator_id not in rater_b:
            raise RatingsNotComparableError(
                f"indicator {indicator_id!r} is rated by the first rater only", indicator_id
            )
    for indicator_id in rater_b:
        if indicator_id not in rater_a:
            raise RatingsNotComparableError(
                f"indicator {indicator_id!r} is rated by the second rater only", indicator_id
            )
    return [(rating, rater_b[indicator_id]) for indicator_id, rating in rater_a.items()]


@dataclass(frozen=True, slots=True)
class RaterPair:
    """Two observers' paired ratings of one meeting; ``label`` identifies it to the caller."""

    label: str
    pairs: tuple[tuple[Rating, Rating], ...]


@dataclass(frozen=True, slots=True)
class PairReliability:
    label: str
    agreement: Agreement


@dataclass(frozen=True, slots=True)
class ReliabilityReport:
    """Reliability over several rater pairs.

    ``pooled`` treats every paired rating of every pair as one table (one kappa from
    pooled marginals); ``mean_kappa`` is the unweighted mean of the per-pair kappas.
    The two differ when pairs differ in length or in how raters use the categories;
    reporting both lets a reader compare with studies that used either.
    """

    pair_count: int
    rating_count: int
    pooled: Agreement
    mean_kappa: float
    pairs: tuple[PairReliability, ...]


def reliability_report(rater_pairs: Sequence[RaterPair]) -> ReliabilityReport:
    if not rater_pairs:
        raise RatingsNotComparableError("a reliability report needs at least one rater pair")
    per_pair = tuple(PairReliability(p.label, measure_agreement(p.pairs)) for p in rater_pairs)
    pooled = measure_agreement([pair for p in rater_pairs for pair in p.pairs])
    return ReliabilityReport(
        pair_count=len(rater_pairs),
        rating_count=pooled.n,
        pooled=pooled,
        mean_kappa=sum(p.agreement.kappa for p in per_pair) / len(per_pair),
        pairs=per_pair,
    )


def _degenerate_kappa(p_o: Fraction) -> Fraction:
    # p_e = 1 makes the formula 0/0; see measure_agreement for why 1 or 0.
    return Fraction(1) if p_o == 1 else Fraction(0)


def _chance_agreement(pairs: Sequence[tuple[C, C]]) -> Fraction:
    # p_e = sum over categories of P(a rates k) * P(b rates k), from each rater's marginals.
    n = len(pairs)
    counts_a = Counter(a for a, _ in pairs)
    counts_b = Counter(b for _, b in pairs)
    return Fraction(sum(counts_a[k] * counts_b[k] for k in counts_a), n * n)
