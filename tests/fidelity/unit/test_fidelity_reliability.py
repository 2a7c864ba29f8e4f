"""Inter-rater reliability: percent agreement, Cohen's kappa and pooled reports."""

from __future__ import annotations

from typing import TypeVar

import pytest

from services.fidelity.domain.errors import RatingsNotComparableError
from services.fidelity.domain.reliability import (
    RaterPair,
    cohens_kappa,
    measure_agreement,
    pair_ratings,
    percent_agreement,
    reliability_report,
)
from services.fidelity.domain.scoring import Rating

P, A, NA = Rating.PRESENT, Rating.ABSENT, Rating.NOT_APPLICABLE
C = TypeVar("C")


def _table(cells: dict[tuple[C, C], int]) -> list[tuple[C, C]]:
    """Expand a contingency table {(rater_a, rater_b): count} into rating pairs."""
    return [pair for pair, count in cells.items() for _ in range(count)]


def test_kappa_matches_the_wikipedia_worked_example() -> None:
    """Wikipedia, "Cohen's kappa", section "Simple example"
    (https://en.wikipedia.org/wiki/Cohen%27s_kappa): 50 grant proposals read by two
    readers; both yes 20, A yes / B no 5, A no / B yes 10, both no 15.
    p_o = 35/50 = 0.7; p_e = 0.5*0.6 + 0.5*0.4 = 0.5; kappa = (0.7-0.5)/(1-0.5) = 0.4.
    """
    pairs = _table({("yes", "yes"): 20, ("yes", "no"): 5, ("no", "yes"): 10, ("no", "no"): 15})
    result = measure_agreement(pairs)
    assert result.n == 50
    assert result.observed == pytest.approx(0.7)
    assert result.expected == pytest.approx(0.5)
    assert result.kappa == pytest.approx(0.4)


@pytest.mark.parametrize(
    ("cells", "kappa"),
    [
        ((45, 15, 25, 15), 0.1304),
        ((25, 35, 5, 35), 0.2593),
    ],
)
def test_kappa_differs_for_the_same_agreement_with_different_marginals(
    cells: tuple[int, int, int, int], kappa: float
) -> None:
    """Wikipedia, "Cohen's kappa", section "Same percentages but different numbers":
    both tables have 60 % agreement on 100 items, yet kappa is 0.1304 and 0.2593."""
    yy, yn, ny, nn = cells
    pairs = _table({("y", "y"): yy, ("y", "n"): yn, ("n", "y"): ny, ("n", "n"): nn})
    assert percent_agreement(pairs) == pytest.approx(60.0)
    assert cohens_kappa(pairs) == pytest.approx(kappa, abs=5e-5)


def test_kappa_over_three_rating_categories_computed_by_hand() -> None:
    """20 indicators, rater A in rows, rater B in columns:

            P  A  NA | A's total
        P   8  1  1  | 10
        A   1  4  0  |  5
        NA  0  1  4  |  5
        B:  9  6  5

    p_o = (8+4+4)/20 = 0.8
    p_e = (10*9 + 5*6 + 5*5) / 400 = 145/400 = 0.3625
    kappa = (0.8 - 0.3625) / (1 - 0.3625) = 0.4375 / 0.6375 = 35/51 = 0.68627...
    """
    pairs = _table(
        {(P, P): 8, (P, A): 1, (P, NA): 1, (A, P): 1, (A, A): 4, (NA, A): 1, (NA, NA): 4}
    )
    result = measure_agreement(pairs)
    assert result.percent_agreement == pytest.approx(80.0)
    assert result.expected == pytest.approx(0.3625)
    assert result.kappa == pytest.approx(35 / 51)


def test_perfect_agreement_on_one_category_has_kappa_one() -> None:
    # p_e = 1 makes the formula 0/0; by definition kappa is 1.0 when raters agree fully.
    result = measure_agreement([(P, P)] * 12)
    assert result.expected == 1.0
    assert result.kappa == 1.0


def test_systematic_disagreement_gives_negative_kappa() -> None:
    assert cohens_kappa([(P, A), (A, P)]) == pytest.approx(-1.0)


def test_no_ratings_cannot_be_compared() -> None:
    with pytest.raises(RatingsNotComparableError):
        measure_agreement([])


def test_pairing_follows_indicator_ids() -> None:
    pairs = pair_ratings({"i1": P, "i2": A}, {"i2": NA, "i1": P})
    assert pairs == [(P, P), (A, NA)]


def test_pairing_names_an_indicator_only_one_rater_rated() -> None:
    with pytest.raises(RatingsNotComparableError) as first_only:
        pair_ratings({"i1": P, "i2": A}, {"i1": P})
    assert first_only.value.indicator_id == "i2"
    with pytest.raises(RatingsNotComparableError) as second_only:
        pair_ratings({"i1": P}, {"i1": P, "i3": A})
    assert second_only.value.indicator_id == "i3"


def test_report_pools_all_ratings_and_averages_pair_kappas() -> None:
    """Pair 1 is the Wikipedia table (kappa 0.4) with present/absent for yes/no; pair 2
    agrees perfectly on 5 present and 5 absent (kappa 1.0).
    Pooled table: PP 25, PA 5, AP 10, AA 20 over 60 -> p_o = 45/60 = 0.75,
    p_e = (30*35 + 30*25)/3600 = 0.5, pooled kappa = 0.5; mean kappa = (0.4+1)/2 = 0.7.
    """
    wikipedia = _table({(P, P): 20, (P, A): 5, (A, P): 10, (A, A): 15})
    perfect = _table({(P, P): 5, (A, A): 5})
    report = reliability_report(
        [RaterPair("meeting-1", tuple(wikipedia)), RaterPair("meeting-2", tuple(perfect))]
    )
    assert (report.pair_count, report.rating_count) == (2, 60)
    assert report.pooled.percent_agreement == pytest.approx(75.0)
    assert report.pooled.kappa == pytest.approx(0.5)
    assert report.mean_kappa == pytest.approx(0.7)
    assert [(p.label, round(p.agreement.kappa, 4)) for p in report.pairs] == [
        ("meeting-1", 0.4),
        ("meeting-2", 1.0),
    ]


def test_report_needs_at_least_one_pair() -> None:
    with pytest.raises(RatingsNotComparableError):
        reliability_report([])
