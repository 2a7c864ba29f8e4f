"""`detect_new_drift` reads only the history near the new observation, and answers what
comparing the whole history before and after it answers: the same signals in the same
order, for any history, any thresholds, any date (back-dated, same-day, a repeat); and
so does the part of the history the store reads near its date, with where the whole
history first scores each domain."""

from __future__ import annotations

import random
from datetime import date, timedelta

from services.fidelity.domain.drift import (
    DriftSignal,
    DriftThresholds,
    FirstSeen,
    detect_drift,
    detect_new_drift,
    drift_reach,
)
from services.fidelity.domain.trend import ObservationScore, chronological

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


def _thresholds(rng: random.Random) -> DriftThresholds:
    return DriftThresholds(
        window=rng.randint(1, 5),
        trend_length=rng.randint(2, 4),
        trend_min_drop=rng.choice([0.0, 2.0, 5.0]),
    )


def test_new_drift_read_near_the_observation_is_the_whole_history_answer() -> None:
    rng = random.Random(14)
    compared = 0
    for _ in range(400):
        thresholds = _thresholds(rng)
        previous = [_observation(rng, n) for n in range(rng.randint(0, 45))]
        new = _observation(rng, len(previous))
        if previous and rng.random() < 0.05:
            new = rng.choice(previous)  # a repeat adds nothing

        found = detect_new_drift(previous, new, thresholds)

        assert found == _whole_history_answer(previous, new, thresholds)
        compared += len(found)
    assert compared > 200  # the histories do drift, often several signals at once


def _near(
    history: list[ObservationScore], on: date, reach: int, rng: random.Random
) -> list[ObservationScore]:
    """What the store reads: the `reach` observations on or before `on` and after it,
    and, as a run's other dates bring, any others, in the history's order."""
    ordered = chronological(history)
    at = sum(1 for o in ordered if o.practice_date <= on)
    kept = set(range(max(0, at - reach), at + reach))
    kept |= {i for i in range(len(ordered)) if rng.random() < 0.1}
    return [o for i, o in enumerate(ordered) if i in kept]


def _first_seen(series: list[ObservationScore]) -> dict[str, FirstSeen]:
    """Where a history, in order, first scores each domain (date, recording, place)."""
    found: dict[str, FirstSeen] = {}
    for order, o in enumerate(chronological(series)):
        for place, domain_id in enumerate(o.domain_scores, start=1):
            found.setdefault(domain_id, (o.practice_date, order, place))
    return found


def test_new_drift_of_the_history_read_near_its_date_is_the_whole_history_answer() -> None:
    rng = random.Random(15)
    compared = 0
    for _ in range(400):
        thresholds = _thresholds(rng)
        previous = [_observation(rng, n) for n in range(rng.randint(0, 60))]
        new = _observation(rng, len(previous))
        near = _near(previous, new.practice_date, drift_reach(thresholds), rng)

        found = detect_new_drift(
            near, new, thresholds, first_seen=_first_seen([*chronological(previous), new])
        )

        assert found == _whole_history_answer(previous, new, thresholds)
        compared += len(found)
    assert compared > 200
