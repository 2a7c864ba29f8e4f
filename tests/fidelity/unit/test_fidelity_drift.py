"""Fidelity trend series and drift detection (band drop, downward trend), exactly once.

``observe("o1", day, total, **domains)`` builds an observation on 2025-01-<day>.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

import pytest

from services.fidelity.domain.drift import (
    DriftKind,
    DriftSignal,
    DriftThresholds,
    detect_drift,
    detect_new_drift,
)
from services.fidelity.domain.scoring import FidelityBand, Rating, score_observation
from services.fidelity.domain.seed_instruments import TEAM_MEETING_OBSERVATION
from services.fidelity.domain.trend import ObservationScore, fidelity_trend

Observe = Callable[..., ObservationScore]


def _series(observe: Observe, *totals: float) -> list[ObservationScore]:
    return [observe(f"o{n}", n, total) for n, total in enumerate(totals, start=1)]


def _replay(
    history: Sequence[ObservationScore], thresholds: DriftThresholds = DriftThresholds()
) -> list[DriftSignal]:
    """What a caller emits when it runs detection after each recorded observation."""
    emitted: list[DriftSignal] = []
    for index, new in enumerate(history):
        emitted += detect_new_drift(history[:index], new, thresholds)
    return emitted


def _of_kind(signals: Sequence[DriftSignal], kind: DriftKind) -> list[DriftSignal]:
    return [s for s in signals if s.kind is kind]


# --- the trend series -------------------------------------------------------------


def test_trend_rolls_the_mean_over_the_last_three_observations(observe: Observe) -> None:
    points = fidelity_trend(_series(observe, 90, 80, 70, 60))
    assert [p.rolling_total for p in points] == [90, 85, 80, 70]
    assert points[3].window == ("o2", "o3", "o4")
    assert [p.band for p in points] == [
        FidelityBand.HIGH,
        FidelityBand.ADEQUATE,
        FidelityBand.BORDERLINE,
        FidelityBand.BELOW,
    ]
    assert points[3].rolling_band is FidelityBand.BORDERLINE


def test_trend_is_in_practice_date_order_whatever_the_recording_order(observe: Observe) -> None:
    late_entry = observe("o-late", 2, 50)
    points = fidelity_trend([observe("o1", 1, 90), observe("o3", 3, 70), late_entry])
    assert [p.observation_id for p in points] == ["o1", "o-late", "o3"]
    assert points[2].rolling_total == 70


def test_domain_rolling_mean_skips_meetings_that_could_not_score_it(observe: Observe) -> None:
    points = fidelity_trend(
        [observe("o1", 1, 80, SAFE=60), observe("o2", 2, 80), observe("o3", 3, 80, SAFE=90)]
    )
    assert points[1].domains["SAFE"].score is None
    assert points[1].domains["SAFE"].rolling == 60
    assert points[2].domains["SAFE"].rolling == 75
    assert points[2].domains["SAFE"].rolling_band is FidelityBand.ADEQUATE


def test_observation_score_is_taken_from_a_scored_observation() -> None:
    ratings = dict.fromkeys(TEAM_MEETING_OBSERVATION.indicator_ids(), Rating.PRESENT)
    scored = score_observation(TEAM_MEETING_OBSERVATION, ratings)
    point = ObservationScore.from_scored("o1", date(2025, 1, 1), scored)
    assert point.total == 100.0
    assert set(point.domain_scores) == {d.id for d in TEAM_MEETING_OBSERVATION.domains}


# --- band drop --------------------------------------------------------------------


def test_rolling_band_drop_is_signalled_at_the_observation_that_causes_it(
    observe: Observe,
) -> None:
    # rolling totals 90, 90, 90, 80 (High -> Adequate), then 80, 80: no further drop.
    history = _series(observe, 90, 90, 90, 60, 90, 90)
    drops = _of_kind(detect_drift(history), DriftKind.BAND_DROP)
    assert len(drops) == 1
    (drop,) = drops
    assert (drop.observation_id, drop.domain_id) == ("o4", None)
    assert (drop.from_band, drop.to_band) == (FidelityBand.HIGH, FidelityBand.ADEQUATE)
    assert drop.observation_ids == ("o1", "o2", "o3", "o4")
    assert drop.drop == pytest.approx(10.0)
    assert "high" in drop.reason and "adequate" in drop.reason


def test_band_drop_is_emitted_exactly_once_when_detection_runs_after_each_observation(
    observe: Observe,
) -> None:
    history = _series(observe, 90, 90, 90, 60, 90, 90)
    emitted = _replay(history)
    assert [(s.kind, s.observation_id) for s in emitted] == [(DriftKind.BAND_DROP, "o4")]
    assert emitted == list(detect_drift(history))


def test_one_weak_meeting_inside_the_same_rolling_band_is_not_drift(observe: Observe) -> None:
    # The window 95, 95, 70 has a rolling mean of 86.7: still High, and not a strict decline.
    assert detect_drift(_series(observe, 95, 95, 95, 70)) == ()


def test_domain_band_drop_names_the_domain(observe: Observe) -> None:
    history = [
        observe("o1", 1, 90, ENG=90, SAFE=90),
        observe("o2", 2, 90, ENG=90, SAFE=50),
    ]
    (signal,) = detect_drift(history)
    assert (signal.kind, signal.domain_id) == (DriftKind.BAND_DROP, "SAFE")
    assert (signal.from_band, signal.to_band) == (FidelityBand.HIGH, FidelityBand.BORDERLINE)
    assert "domain SAFE" in signal.reason


def test_domain_drop_needs_the_new_observation_to_score_that_domain(observe: Observe) -> None:
    # SAFE rolls 80, 75, 75.3 (Adequate); at o4, which has no SAFE score, o1's 80 slides
    # out and the rolling SAFE falls to 73 (Borderline). That is the window moving, not
    # new evidence, so it is not signalled.
    history = [
        observe("o1", 1, 90, SAFE=80),
        observe("o2", 2, 90, SAFE=70),
        observe("o3", 3, 90, SAFE=76),
        observe("o4", 4, 90),
    ]
    points = fidelity_trend(history)
    assert points[2].domains["SAFE"].rolling_band is FidelityBand.ADEQUATE
    assert points[3].domains["SAFE"].rolling_band is FidelityBand.BORDERLINE
    assert detect_drift(history) == ()


# --- downward trend ---------------------------------------------------------------


def test_downward_trend_is_signalled_once_at_its_onset(observe: Observe) -> None:
    history = _series(observe, 98, 96, 93, 90, 87)
    trends = _of_kind(_replay(history), DriftKind.DOWNWARD_TREND)
    assert len(trends) == 1
    (trend,) = trends
    assert trend.observation_id == "o3"
    assert trend.observation_ids == ("o1", "o2", "o3")
    assert trend.drop == pytest.approx(5.0)


def test_decline_smaller_than_the_threshold_is_not_a_trend(observe: Observe) -> None:
    assert _of_kind(detect_drift(_series(observe, 98, 96, 94)), DriftKind.DOWNWARD_TREND) == []


def test_a_flat_step_breaks_a_trend(observe: Observe) -> None:
    assert _of_kind(detect_drift(_series(observe, 98, 98, 90)), DriftKind.DOWNWARD_TREND) == []


def test_a_new_decline_after_recovery_is_a_new_trend(observe: Observe) -> None:
    history = _series(observe, 99, 96, 93, 99, 96, 93)
    trends = _of_kind(detect_drift(history), DriftKind.DOWNWARD_TREND)
    assert [t.observation_id for t in trends] == ["o3", "o6"]


def test_trend_length_and_minimum_drop_are_parameters(observe: Observe) -> None:
    history = _series(observe, 99, 97, 95, 93)
    strict = DriftThresholds(trend_length=4, trend_min_drop=10)
    lenient = DriftThresholds(trend_length=4, trend_min_drop=6)
    assert _of_kind(detect_drift(history, strict), DriftKind.DOWNWARD_TREND) == []
    (trend,) = _of_kind(detect_drift(history, lenient), DriftKind.DOWNWARD_TREND)
    assert trend.observation_ids == ("o1", "o2", "o3", "o4")


def test_domain_trend_names_the_domain(observe: Observe) -> None:
    history = [observe(f"o{n}", n, 90, NAT=score) for n, score in enumerate([90, 86, 80], 1)]
    (signal,) = detect_drift(history)
    assert (signal.kind, signal.domain_id) == (DriftKind.DOWNWARD_TREND, "NAT")


# --- exactly once -----------------------------------------------------------------


def test_resending_a_recorded_observation_emits_nothing(observe: Observe) -> None:
    history = _series(observe, 90, 90, 90)
    assert detect_new_drift(history, history[-1]) == ()
    # Even re-sent with other scores, o3 is not a new observation: nothing is emitted
    # (otherwise a rolling drop to 80 would be reported against o3).
    assert detect_new_drift(history, observe("o3", 3, 60)) == ()


def test_a_backdated_observation_emits_only_what_it_adds(observe: Observe) -> None:
    # Recorded later but held on day 3: it completes a decline 98, 95, 90.
    recorded = [observe("o1", 1, 98), observe("o2", 2, 95), observe("o4", 4, 96)]
    (signal,) = detect_new_drift(recorded, observe("o3", 3, 90))
    assert (signal.kind, signal.observation_id) == (DriftKind.DOWNWARD_TREND, "o3")


def test_thresholds_must_make_sense() -> None:
    with pytest.raises(ValueError, match="invalid drift thresholds"):
        DriftThresholds(trend_length=1)
