"""Where drift signals fire in a stretch of history, found from columns of numbers.

`fidelity_trend` builds a point per observation with a point per domain; deciding a new
observation's signals from those cost an imported line of a calibrated observer more
than all the rest of its recording. The same values are computed here scope by scope
(the total, then each domain) as plain lists, and only where a signal at `first` or
later looks: raw scores from `first - trend_length` on (a trend's onset also checks the
run ending one observation earlier), rolling means and their bands from `first - 1` on
(a band drop compares with the observation before). The arithmetic is the trend's: a
rolling mean is `fmean` of the same scores, which is `fsum(scores) / len(scores)`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from math import fsum

from services.fidelity.domain.scoring import BAND_ORDER, FidelityBand, fidelity_band
from services.fidelity.domain.trend import ObservationScore

_RANK: dict[FidelityBand, int] = {band: rank for rank, band in enumerate(BAND_ORDER)}


@dataclass(frozen=True, slots=True)
class Scope:
    """One scope's values by observation (None: not scored, or not computed)."""

    domain_id: str | None  # None: the total
    raw: list[float | None]
    rolling: list[float | None]
    bands: list[FidelityBand | None]  # of the rolling values


@dataclass(frozen=True, slots=True)
class Found:
    """A signal at observation `index` of `scope`: a band drop, or a trend's onset."""

    index: int
    scope: Scope
    trend: bool


def scan(
    ordered: Sequence[ObservationScore],
    window: int,
    trend_length: int,
    trend_min_drop: float,
    first: int,
) -> list[Found]:
    """The signals at the `first` observation (in date order) and after, in the order
    the whole trend lists them: by observation, the total then the domains in the order
    the history first scores them, a band drop before a trend."""
    count, first = len(ordered), max(1, first)
    if count <= first:
        return []
    domain_ids = list(dict.fromkeys(d for o in ordered for d in o.domain_scores))
    low = max(0, first - trend_length)
    found: list[tuple[int, int, bool, Scope]] = []
    for rank, domain_id in enumerate([None, *domain_ids]):
        scope = _columns(ordered, domain_id, low, first, window)
        ranks = [None if band is None else _RANK[band] for band in scope.bands]
        raw = scope.raw
        for index in range(first, count):
            now, was = ranks[index], ranks[index - 1]
            if raw[index] is not None and now is not None and was is not None and now < was:
                found.append((index, rank, False, scope))
        # falling[i]: scored at i - 1 and at i, and lower at i
        falling = [
            a is not None and b is not None and a > b
            for a, b in zip([None, *raw[:-1]], raw, strict=True)
        ]
        for index in range(first, count):
            if not falling[index]:
                continue  # the usual case: no trend ends here
            down = _downward(raw, falling, index, trend_length, trend_min_drop)
            if down and not _downward(raw, falling, index - 1, trend_length, trend_min_drop):
                found.append((index, rank, True, scope))
    found.sort(key=lambda f: (f[0], f[1], f[2]))
    return [Found(index, scope, trend) for index, _, trend, scope in found]


def _downward(
    raw: list[float | None], falling: list[bool], end: int, length: int, min_drop: float
) -> bool:
    """`length` scores ending at `end`, each lower than the one before, by `min_drop` in all."""
    start = end - length + 1
    if start < 0 or not all(falling[start + 1 : end + 1]):
        return False
    first, last = raw[start], raw[end]
    assert first is not None and last is not None  # scored, as falling says
    return first - last >= min_drop


def _columns(
    ordered: Sequence[ObservationScore], domain_id: str | None, low: int, first: int, window: int
) -> Scope:
    """A scope's raw scores from `low` (and back to the first window that needs them),
    rolling means and their bands from `first - 1`."""
    roll_low = first - 1
    begin = min(low, max(0, roll_low - window + 1))
    raw: list[float | None] = [None] * begin
    if domain_id is None:
        raw += [o.total for o in ordered[begin:]]
    else:
        raw += [o.domain_scores.get(domain_id) for o in ordered[begin:]]
    rolling: list[float | None] = [None] * roll_low
    for end in range(roll_low, len(raw)):
        scores = [v for v in raw[max(0, end - window + 1) : end + 1] if v is not None]
        rolling.append(fsum(scores) / len(scores) if scores else None)
    bands = [None if value is None else fidelity_band(value) for value in rolling]
    return Scope(domain_id, raw, rolling, bands)
