"""`detect_new_drift` reads only the history near the new observation, and answers what
comparing the whole history before and after it answers: the same signals in the same
order, for any history, any thresholds, any date (back-dated, same-day, a repeat)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from services.fidelity.domain.drift import (
    DriftSignal,
    DriftThresholds,
    detect_drift,
    detect_new_drift,
)
from services.fidelity.domain.trend import ObservationScore

DOMAINS = ("A", "B", "C", "D")


def _whole_history_answer(
    previous: list[ObservationScore], new: ObservationScore, thresholds: DriftThresholds
) -> tuple[DriftSignal, ...]:
    """The definition: the signals of the history with `new` that it had not without."""
    if any(o.observation_id == new.observation_id for o in previous):
        return ()
    already = {s.key for s in detect_drift(previous, thresholds)}
    return tuple(s for s in detect_drift([*previous, new], thresholds) if s.key not in already)


def _observation(rng: random.Random, n: int) -> ObservationScore:
    """Scores that cross the bands often (and repeat, so ties and flat runs occur), on
    one of 30 days (so many share a day), scoring a random subset of the domains."""
    scores = [100.0, 90.0, 80.0, 70.0, 60.0]
    domains = {d: rng.choice([*scores, rng.uniform(40, 100)]) for d in rng.sample(DOMAINS, 3)}
    for domain in rng.sample(list(domains), rng.randint(0, 3)):
        del domains[domain]
    return ObservationScore(
        f"o{n}",
        date(2025, 1, 1) + timedelta(days=rng.randint(0, 29)),
        rng.choice([*scores, rng.uniform(40, 100)]),
        domains,
    )


def test_new_drift_read_near_the_observation_is_the_whole_history_answer() -> None:
    rng = random.Random(14)
    compared = 0
    for _ in range(400):
        thresholds = DriftThresholds(
            window=rng.randint(1, 5),
            trend_length=rng.randint(2, 4),
            trend_min_drop=rng.choice([0.0, 2.0, 5.0]),
        )
        previous = [_observation(rng, n) for n in range(rng.randint(0, 45))]
        new = _observation(rng, len(previous))
        if previous and rng.random() < 0.05:
            new = rng.choice(previous)  # a repeat adds nothing

        found = detect_new_drift(previous, new, thresholds)

        assert found == _whole_history_answer(previous, new, thresholds)
        compared += len(found)
    assert compared > 200  # the histories do drift, often several signals at once
