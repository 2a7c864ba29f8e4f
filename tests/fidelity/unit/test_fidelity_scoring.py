"""Scoring an observation: item, domain and total percentages, bands, rating validation.

The ``small_instrument`` fixture has X.A (X.A.1 four indicators, X.A.2 two) and
X.B (X.B.1 three).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from fractions import Fraction

import pytest

from services.fidelity.domain.errors import (
    DuplicateRatingError,
    InvalidObservationError,
    InvalidRatingError,
    MissingRatingError,
    UnknownIndicatorError,
    UnscorableObservationError,
)
from services.fidelity.domain.instruments import Instrument
from services.fidelity.domain.scoring import (
    FidelityBand,
    Rating,
    fidelity_band,
    score_observation,
    validate_ratings,
)
from services.fidelity.domain.seed_instruments import SEED_INSTRUMENTS, TEAM_MEETING_OBSERVATION

P, A, NA = Rating.PRESENT, Rating.ABSENT, Rating.NOT_APPLICABLE
RateAll = Callable[..., dict[str, Rating]]


def _item_scores(instrument: Instrument, ratings: dict[str, Rating]) -> dict[str, float]:
    return {i.item_id: i.score for i in score_observation(instrument, ratings).items}


# --- scores -----------------------------------------------------------------------


def test_item_score_is_present_over_applicable_indicators(
    small_instrument: Instrument, rate_all: RateAll
) -> None:
    ratings = rate_all(small_instrument, P, {"X.A.1.b": A, "X.A.1.c": NA})
    scored = score_observation(small_instrument, ratings)
    item = scored.items[0]
    assert (item.item_id, item.present, item.applicable) == ("X.A.1", 2, 3)
    assert item.score == pytest.approx(200 / 3)


def test_domain_score_is_mean_of_its_item_scores(
    small_instrument: Instrument, rate_all: RateAll
) -> None:
    # X.A.1 = 1/4 present = 25 %, X.A.2 = 100 % -> domain X.A = 62.5 %
    ratings = rate_all(small_instrument, P, {"X.A.1.a": A, "X.A.1.b": A, "X.A.1.c": A})
    scored = score_observation(small_instrument, ratings)
    assert scored.domain_scores() == {"X.A": 62.5, "X.B": 100.0}
    assert scored.domains[0].item_count == 2


def test_total_is_mean_of_all_items_not_mean_of_domains(
    small_instrument: Instrument, rate_all: RateAll
) -> None:
    # Items 100, 50, 0: domains 75 and 0 would average 37.5; items average 50.
    ratings = rate_all(
        small_instrument, P, {"X.A.2.a": A} | dict.fromkeys(["X.B.1.a", "X.B.1.b", "X.B.1.c"], A)
    )
    scored = score_observation(small_instrument, ratings)
    assert scored.domain_scores() == {"X.A": 75.0, "X.B": 0.0}
    assert scored.total == 50.0
    assert scored.band is FidelityBand.BELOW


def test_item_with_only_not_applicable_indicators_is_left_out(
    small_instrument: Instrument, rate_all: RateAll
) -> None:
    ratings = rate_all(small_instrument, P, {"X.A.2.a": NA, "X.A.2.b": NA, "X.B.1.a": A})
    scored = score_observation(small_instrument, ratings)
    assert [i.item_id for i in scored.items] == ["X.A.1", "X.B.1"]
    assert scored.domain_scores()["X.A"] == 100.0  # not (100 + 0) / 2
    assert scored.total == pytest.approx((100 + 200 / 3) / 2)


def test_domain_with_no_scorable_item_is_left_out(
    small_instrument: Instrument, rate_all: RateAll
) -> None:
    ratings = rate_all(small_instrument, P, dict.fromkeys(["X.B.1.a", "X.B.1.b", "X.B.1.c"], NA))
    scored = score_observation(small_instrument, ratings)
    assert list(scored.domain_scores()) == ["X.A"]
    assert scored.total == 100.0


def test_observation_with_every_indicator_not_applicable_cannot_be_scored(
    small_instrument: Instrument, rate_all: RateAll
) -> None:
    with pytest.raises(UnscorableObservationError, match="not applicable"):
        score_observation(small_instrument, rate_all(small_instrument, NA))


def test_scored_observation_names_its_instrument_version_and_lowest_domain(
    rate_all: RateAll,
) -> None:
    ratings = rate_all(TEAM_MEETING_OBSERVATION, P, {"TM.SAFE.1.a": A, "TM.SAFE.1.b": A})
    scored = score_observation(TEAM_MEETING_OBSERVATION, ratings)
    assert (scored.instrument_key, scored.instrument_version) == ("team-meeting-observation", 1)
    assert scored.lowest_domain().domain_id == "TM.SAFE"
    assert scored.lowest_domain().score == pytest.approx((100 / 3 + 100) / 2)


def test_meeting_at_exactly_85_percent_is_adequate(rate_all: RateAll) -> None:
    # 17 of the 20 items fully present, 3 fully absent: exactly 85 %.
    absent_items = {"TM.ENG.2", "TM.NAT.3", "TM.OUT.3"}
    overrides = {
        indicator.id: A
        for _, item in TEAM_MEETING_OBSERVATION.items()
        if item.id in absent_items
        for indicator in item.indicators
    }
    scored = score_observation(
        TEAM_MEETING_OBSERVATION, rate_all(TEAM_MEETING_OBSERVATION, P, overrides)
    )
    assert scored.total == 85.0
    assert scored.band is FidelityBand.ADEQUATE


# --- bands ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (100.0, FidelityBand.HIGH),
        (85.01, FidelityBand.HIGH),
        (85.0, FidelityBand.ADEQUATE),
        (80.0, FidelityBand.ADEQUATE),
        (75.0, FidelityBand.ADEQUATE),
        (74.99, FidelityBand.BORDERLINE),
        (65.0, FidelityBand.BORDERLINE),
        (64.99, FidelityBand.BELOW),
        (0.0, FidelityBand.BELOW),
    ],
)
def test_fidelity_band_edges(total: float, band: FidelityBand) -> None:
    assert fidelity_band(total) is band


@pytest.mark.parametrize("total", [-0.1, 100.1, float("nan")])
def test_fidelity_band_refuses_a_score_outside_zero_to_hundred(total: float) -> None:
    with pytest.raises(ValueError, match="percentage"):
        fidelity_band(total)


# --- validation -------------------------------------------------------------------


def test_missing_rating_names_the_indicator(
    small_instrument: Instrument, rate_all: RateAll
) -> None:
    ratings = rate_all(small_instrument)
    del ratings["X.A.2.b"]
    with pytest.raises(MissingRatingError) as raised:
        validate_ratings(small_instrument, ratings)
    assert raised.value.indicator_id == "X.A.2.b"
    assert "X.A.2.b" in raised.value.detail


def test_unknown_indicator_is_named(small_instrument: Instrument, rate_all: RateAll) -> None:
    ratings = rate_all(small_instrument) | {"X.C.1.a": P}
    with pytest.raises(UnknownIndicatorError) as raised:
        validate_ratings(small_instrument, ratings)
    assert raised.value.indicator_id == "X.C.1.a"


def test_duplicate_rating_in_a_list_of_pairs_is_named(
    small_instrument: Instrument, rate_all: RateAll
) -> None:
    pairs = [*rate_all(small_instrument).items(), ("X.B.1.c", A)]
    with pytest.raises(DuplicateRatingError) as raised:
        validate_ratings(small_instrument, pairs)
    assert raised.value.indicator_id == "X.B.1.c"


def test_rating_outside_the_scale_is_named(small_instrument: Instrument, rate_all: RateAll) -> None:
    ratings: dict[str, str] = {**rate_all(small_instrument), "X.A.1.a": "yes"}
    with pytest.raises(InvalidRatingError) as raised:
        validate_ratings(small_instrument, ratings)  # type: ignore[arg-type]
    assert raised.value.indicator_id == "X.A.1.a"
    assert "not_applicable" in raised.value.detail


def test_validation_errors_share_one_base_for_the_api(small_instrument: Instrument) -> None:
    with pytest.raises(InvalidObservationError):
        validate_ratings(small_instrument, [])


def test_valid_pairs_become_ratings_in_instrument_order(small_instrument: Instrument) -> None:
    pairs = [(i, "absent") for i in reversed(small_instrument.indicator_ids())]
    valid = validate_ratings(small_instrument, pairs)  # type: ignore[arg-type]
    assert list(valid) == list(small_instrument.indicator_ids())
    assert set(valid.values()) == {Rating.ABSENT}
    assert all(type(r) is Rating for r in valid.values())


def test_every_score_is_the_exact_fraction_rounded_once() -> None:
    """Random ratings of the seed instruments, scored against exact `Fraction` means:
    item, domain and total floats all equal the exact value's, items and domains in
    instrument order with their counts and bands."""
    draw = random.Random(14)
    for instrument in SEED_INSTRUMENTS:
        for _ in range(300):
            ratings = {i: draw.choice([P, P, A, NA]) for i in instrument.indicator_ids()}
            try:
                scored = score_observation(instrument, ratings)
            except UnscorableObservationError:
                assert all(r == NA for r in ratings.values())
                continue
            exact: dict[str, list[Fraction]] = {}
            counted = []
            for domain, item in instrument.items():
                rated = [ratings[i.id] for i in item.indicators if ratings[i.id] != NA]
                if rated:
                    exact.setdefault(domain.id, []).append(
                        Fraction(100 * rated.count(P), len(rated))
                    )
                    counted.append((item.id, domain.id, rated.count(P), len(rated)))
            every = [value for values in exact.values() for value in values]
            assert [i.score for i in scored.items] == [float(value) for value in every]
            assert [(i.item_id, i.domain_id, i.present, i.applicable) for i in scored.items] == (
                counted
            )
            domain_means = {
                domain_id: float(sum(values, Fraction(0)) / len(values))
                for domain_id, values in exact.items()
            }
            assert [(d.domain_id, d.score, d.item_count, d.band) for d in scored.domains] == [
                (domain_id, mean, len(exact[domain_id]), fidelity_band(mean))
                for domain_id, mean in domain_means.items()
            ]
            assert scored.total == float(sum(every, Fraction(0)) / len(every))
            assert scored.band == fidelity_band(scored.total)
