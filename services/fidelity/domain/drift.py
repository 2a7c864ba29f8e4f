"""Practice drift: when a practitioner's fidelity is slipping, tell the coach once.

Two signals, each for the total and for every domain:

* BAND DROP - the ROLLING band (mean of the last N observations) is lower than it
  was at the previous observation. We use the rolling band rather than the latest
  observation's band so that one hard meeting does not page the coach, while a
  real slide still shows within a few meetings.
* DOWNWARD TREND - the last K observations' raw scores are strictly decreasing
  and fall by at least ``trend_min_drop`` points in all. Raw scores, because a
  rolling mean of a trend would smooth away exactly what we look for.

Exactly-once: every signal is attached to the observation at which it fires and is
identified by ``(kind, domain, observation)``. Band drops are transitions by
nature; a trend fires at its onset only (not at every further decline). So the
same history always yields the same signals, and ``detect_new_drift`` returns only
those that a new observation adds - run it after each recorded observation and
emit what it returns.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from itertools import pairwise

from services.fidelity.domain.drift_scan import scan
from services.fidelity.domain.scoring import FidelityBand, band_rank
from services.fidelity.domain.trend import (
    DEFAULT_ROLLING_WINDOW,
    ObservationScore,
    TrendPoint,
    chronological,
    fidelity_trend,
)


class DriftKind(StrEnum):
    BAND_DROP = "band_drop"
    DOWNWARD_TREND = "downward_trend"


@dataclass(frozen=True, slots=True)
class DriftThresholds:
    window: int = DEFAULT_ROLLING_WINDOW  # N observations in the rolling mean
    trend_length: int = 3  # K consecutive observations that must decrease
    trend_min_drop: float = 5.0  # points from the first to the last of the K

    def __post_init__(self) -> None:
        if self.window < 1 or self.trend_length < 2 or self.trend_min_drop < 0:
            raise ValueError(f"invalid drift thresholds: {self}")


@dataclass(frozen=True, slots=True)
class DriftSignal:
    kind: DriftKind
    domain_id: str | None  # None for the total
    observation_id: str  # the observation at which drift is detected
    practice_date: date
    observation_ids: tuple[str, ...]  # the evidence, oldest first
    from_band: FidelityBand | None  # band drops only
    to_band: FidelityBand | None
    drop: float  # points lost: rolling value (band drop) or first-to-last score (trend)
    reason: str

    @property
    def key(self) -> tuple[DriftKind, str | None, str]:
        """Identity for de-duplication: one signal per kind, scope and observation."""
        return (self.kind, self.domain_id, self.observation_id)


def detect_drift(
    observations: Sequence[ObservationScore], thresholds: DriftThresholds = DriftThresholds()
) -> tuple[DriftSignal, ...]:
    """Every drift signal over a practitioner's history, in practice-date order."""
    return _signals_from(observations, thresholds, 1)


def _signals_from(
    observations: Sequence[ObservationScore], thresholds: DriftThresholds, first: int
) -> tuple[DriftSignal, ...]:
    """`detect_drift`'s signals at the `first` observation in date order and after."""
    trend = fidelity_trend(observations, thresholds.window)
    domain_ids = list(trend[-1].domains) if trend else []
    signals: list[DriftSignal] = []
    for index in range(max(1, first), len(trend)):
        for domain_id in [None, *domain_ids]:
            band_drop = _band_drop(trend, index, domain_id)
            if band_drop is not None:
                signals.append(band_drop)
            downward = _trend_onset(trend, index, domain_id, thresholds)
            if downward is not None:
                signals.append(downward)
    return tuple(signals)


# Where a domain is first scored in a history: the observation's practice date, its
# recording order among that date's, and the domain's place among its scored domains.
FirstSeen = tuple[date, int, int]


def drift_reach(thresholds: DriftThresholds) -> int:
    """How many observations either side of a new one decide the signals it adds.

    A signal at an observation rests on it and the `reach` before it: a band drop on
    the rolling windows ending there and just before (`window` back), a trend's onset on
    the runs ending there and just before (`trend_length` back)."""
    return max(thresholds.window, thresholds.trend_length)


def detect_new_drift(
    previous: Sequence[ObservationScore],
    new: ObservationScore,
    thresholds: DriftThresholds = DriftThresholds(),
    *,
    first_seen: Mapping[str, FirstSeen] | None = None,
) -> tuple[DriftSignal, ...]:
    """The signals that recording ``new`` adds to a history (``previous``).

    ``previous`` may be only part of the history, in its order, if it holds the
    `drift_reach` observations either side of ``new``'s date (or all there are) and
    ``first_seen`` says where the whole history with ``new`` first scores each domain
    of those and of ``new`` (signals at one observation are listed in that order).

    Usually these fire at ``new`` itself. If ``new`` is back-dated into the middle
    of the history it can also create signals at later observations; those are
    returned too. Signals it would make disappear are not retracted: an event
    already sent stays sent. Replaying an observation already in ``previous``
    returns nothing, even with changed scores (an amendment is not a new meeting).

    Back-dating can, rarely, remove a signal and a later back-dated entry bring it
    back; a caller that must never repeat an event should also store the ``key`` of
    each emitted signal and drop keys it has sent (the key makes a natural event id).
    """
    if any(o.observation_id == new.observation_id for o in previous):
        return ()
    ordered = chronological(previous)
    at = bisect_right(ordered, new.practice_date, key=_practice_date)  # a stable sort's place
    # A signal at an observation rests on the `reach` observations up to it, so only
    # those within `reach` after `new` can change, and the history `reach` either side
    # of it decides them: the same answer as the whole history's, at a cost that does
    # not grow with it.
    reach = drift_reach(thresholds)
    start, end = max(0, at - reach), at + reach
    before = ordered[start:end]
    after = [*ordered[start:at], new, *ordered[at:end]]
    # the signals before `new` rest on the same observations either way: never added
    changed = _signals_near(after, thresholds, at - start)
    if not changed:
        return ()
    already = {s.key for s in _signals_near(before, thresholds, at - start)}
    added = [s for s in changed if s.key not in already]
    if len(added) < 2:
        return tuple(added)
    # in the order the whole history lists them: by observation, then by the history's
    # domains in their first-seen order (the total first), a band drop before a trend
    if first_seen is None:
        series = [*ordered[:at], new, *ordered[at:]]
        seen = dict.fromkeys(d for o in series for d in o.domain_scores)
    else:
        seen = dict.fromkeys(sorted(first_seen, key=first_seen.__getitem__))
    domains: dict[str | None, int] = {None: -1} | {d: rank for rank, d in enumerate(seen)}
    position = {o.observation_id: index for index, o in enumerate(after)}
    return tuple(
        sorted(
            added,
            key=lambda s: (
                position[s.observation_id],
                domains[s.domain_id],
                s.kind is DriftKind.DOWNWARD_TREND,
            ),
        )
    )


def _practice_date(observation: ObservationScore) -> date:
    return observation.practice_date


def _value(point: TrendPoint, domain_id: str | None, rolling: bool) -> float | None:
    if domain_id is None:
        return point.rolling_total if rolling else point.total
    domain = point.domains.get(domain_id)
    if domain is None:
        return None
    return domain.rolling if rolling else domain.score


def _rolling_band(point: TrendPoint, domain_id: str | None) -> FidelityBand | None:
    if domain_id is None:
        return point.rolling_band
    domain = point.domains.get(domain_id)
    return domain.rolling_band if domain is not None else None


def _scope(domain_id: str | None) -> str:
    return "total" if domain_id is None else f"domain {domain_id}"


def _band_drop(
    trend: Sequence[TrendPoint], index: int, domain_id: str | None
) -> DriftSignal | None:
    point, before = trend[index], trend[index - 1]
    # A domain drop must rest on this observation's own evidence for the domain,
    # not only on an old score sliding out of the window.
    if _value(point, domain_id, rolling=False) is None:
        return None
    now, was = _rolling_band(point, domain_id), _rolling_band(before, domain_id)
    if now is None or was is None or band_rank(now) >= band_rank(was):
        return None
    now_value = _value(point, domain_id, rolling=True)
    was_value = _value(before, domain_id, rolling=True)
    assert now_value is not None and was_value is not None  # a band implies a value
    ids = tuple(dict.fromkeys([*before.window, *point.window]))
    return _band_drop_signal(domain_id, point, ids, (was, was_value), (now, now_value))


def _band_drop_signal(
    domain_id: str | None,
    at: TrendPoint | ObservationScore,
    observation_ids: tuple[str, ...],
    was: tuple[FidelityBand, float],
    now: tuple[FidelityBand, float],
) -> DriftSignal:
    (was_band, was_value), (now_band, now_value) = was, now
    return DriftSignal(
        kind=DriftKind.BAND_DROP,
        domain_id=domain_id,
        observation_id=at.observation_id,
        practice_date=at.practice_date,
        observation_ids=observation_ids,
        from_band=was_band,
        to_band=now_band,
        drop=was_value - now_value,
        reason=(
            f"rolling {_scope(domain_id)} fell from {was_band.value} ({was_value:.1f}) "
            f"to {now_band.value} ({now_value:.1f})"
        ),
    )


def _is_downward(
    trend: Sequence[TrendPoint], end: int, domain_id: str | None, thresholds: DriftThresholds
) -> bool:
    start = end - thresholds.trend_length + 1
    if start < 0:
        return False
    values = [_value(p, domain_id, rolling=False) for p in trend[start : end + 1]]
    scores = [v for v in values if v is not None]
    if len(scores) != len(values):
        return False  # a gap (domain not scored) breaks the run
    strictly_down = all(a > b for a, b in pairwise(scores))
    return strictly_down and scores[0] - scores[-1] >= thresholds.trend_min_drop


def _trend_onset(
    trend: Sequence[TrendPoint], index: int, domain_id: str | None, thresholds: DriftThresholds
) -> DriftSignal | None:
    # Onset only: a decline that continues is the same trend, already signalled.
    if not _is_downward(trend, index, domain_id, thresholds) or _is_downward(
        trend, index - 1, domain_id, thresholds
    ):
        return None
    run = trend[index - thresholds.trend_length + 1 : index + 1]
    first = _value(run[0], domain_id, rolling=False)
    last = _value(run[-1], domain_id, rolling=False)
    assert first is not None and last is not None  # _is_downward checked for gaps
    ids = tuple(p.observation_id for p in run)
    return _trend_signal(domain_id, trend[index], ids, first, last)


def _trend_signal(
    domain_id: str | None,
    at: TrendPoint | ObservationScore,
    observation_ids: tuple[str, ...],
    first: float,
    last: float,
) -> DriftSignal:
    return DriftSignal(
        kind=DriftKind.DOWNWARD_TREND,
        domain_id=domain_id,
        observation_id=at.observation_id,
        practice_date=at.practice_date,
        observation_ids=observation_ids,
        from_band=None,
        to_band=None,
        drop=first - last,
        reason=(
            f"{_scope(domain_id)} decreased over the last {len(observation_ids)} observations, "
            f"from {first:.1f} to {last:.1f}"
        ),
    )


def _signals_near(
    observations: Sequence[ObservationScore], thresholds: DriftThresholds, first: int
) -> tuple[DriftSignal, ...]:
    """`_signals_from`'s answer, found by `scan` from columns of numbers, not from a
    whole trend (what `detect_new_drift` asks of a stretch of history, per line)."""
    ordered = chronological(observations)
    window, length = thresholds.window, thresholds.trend_length
    signals: list[DriftSignal] = []
    for found in scan(ordered, window, length, thresholds.trend_min_drop, first):
        index, scope = found.index, found.scope
        if found.trend:
            run = ordered[index - length + 1 : index + 1]
            first_score, last_score = scope.raw[index - length + 1], scope.raw[index]
            assert first_score is not None and last_score is not None  # a trend has no gap
            ids = tuple(o.observation_id for o in run)
            signals.append(_trend_signal(scope.domain_id, run[-1], ids, first_score, last_score))
            continue
        was_band, was_value = scope.bands[index - 1], scope.rolling[index - 1]
        now_band, now_value = scope.bands[index], scope.rolling[index]
        assert was_band and now_band and was_value is not None and now_value is not None
        # the two windows' ids, as `_band_drop` joins them
        windows = [
            *ordered[max(0, index - window) : index],
            *ordered[max(0, index - window + 1) : index + 1],
        ]
        ids = tuple(dict.fromkeys(o.observation_id for o in windows))
        at = ordered[index]
        was, now = (was_band, was_value), (now_band, now_value)
        signals.append(_band_drop_signal(scope.domain_id, at, ids, was, now))
    return tuple(signals)
