"""`detect_new_drift` (whose signals are found from columns of scores, `drift_scan.py`)
answers what the trend-based definition answers on the edges: scores exactly on a band's
edge, rolling means that land on one, and falls of exactly the minimum drop."""

from __future__ import annotations

import random
from datetime import date, timedelta

from services.fidelity.domain.drift import DriftThresholds, detect_drift, detect_new_drift
from services.fidelity.domain.trend import ObservationScore

# the band edges (65, 75, 85), a step of exactly 5 either side, and gaps of 2.5
EDGE_SCORES = (57.5, 60.0, 62.5, 65.0, 70.0, 72.5, 75.0, 77.5, 80.0, 85.0, 87.5, 90.0)


def _observation(rng: random.Random, n: int) -> ObservationScore:
    domains = {d: rng.choice(EDGE_SCORES) for d in ("A", "B") if rng.random() < 0.8}
    day = date(2025, 3, 1) + timedelta(days=rng.randint(0, 40))
    return ObservationScore(f"o{n}", day, rng.choice(EDGE_SCORES), domains)


def test_new_drift_on_band_edges_and_minimum_drops_is_the_definitions_answer() -> None:
    rng = random.Random(21)
    compared, trends = 0, 0
    for _ in range(300):
        thresholds = DriftThresholds(
            window=rng.randint(1, 4), trend_length=rng.randint(2, 3), trend_min_drop=5.0
        )
        previous = [_observation(rng, n) for n in range(rng.randint(0, 30))]
        new = _observation(rng, len(previous))

        found = detect_new_drift(previous, new, thresholds)

        already = {s.key for s in detect_drift(previous, thresholds)}
        whole = detect_drift([*previous, new], thresholds)
        assert found == tuple(s for s in whole if s.key not in already)
        compared += len(found)
        trends += sum(s.drop == 5.0 for s in found if s.kind == "downward_trend")
    assert compared > 100 and trends > 5  # falls of exactly the minimum did fire
