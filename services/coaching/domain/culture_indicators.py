"""Agency learning-culture indicators: is coaching, peer learning and reflection alive?

One pure function over the records, for the whole agency or one supervisor's team.
Every count is computed on practice dates, as of a given day, so the indicators can be
asked for any past date. The definitions, precisely:

- **Active practitioner**: a roster member with at least one active day (from the
  program start, not while away: after leaving, until the return) in the window in
  question (a month, the last 90 days, the last 30 days). Shares are ``None``, not 0,
  when nobody was active — "no one to coach" is not "nobody coached".
- **Monthly coaching coverage**: the 12 calendar months ending with the month of
  ``as_of`` (that month counted up to ``as_of``), newest last. A practitioner is
  coached in a month when they were active in it and had ≥ 1 coaching session held
  in it. share = coached ÷ active.
- **Median days between coaching sessions**: for each roster member, take the
  distinct dates of their coaching sessions inside the 12-month window (two sessions
  on one day are one coaching day, not a 0-day gap), and the gaps in days between
  each date and the next. Pool the gaps of all members and take the median (the mean
  of the two middle gaps when their number is even). ``None`` with no gap at all.
  Pooling weights each gap equally, so regularly coached practitioners count more —
  the question is "how far apart are coaching sessions here", not "per person".
- **Peer learning**: the last 90 days including ``as_of``. A practitioner participated
  when they attended (as participant or facilitator) ≥ 1 peer session held in the
  window; ``sessions`` counts peer sessions in the window attended by ≥ 1 active
  roster member (so a team's count is the sessions its members took part in).
- **Reflection**: the last 30 days including ``as_of``; ``reflections`` counts entries
  by active roster members; share = members with ≥ 1 entry ÷ active members.
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from services.coaching.domain.culture import PeerLearningSession, Reflection
from services.coaching.domain.sessions import CoachingSession

MONTHS_OF_COACHING = 12
PEER_LEARNING_DAYS = 90
REFLECTION_DAYS = 30


@dataclass(frozen=True, slots=True, kw_only=True)
class RosterMember:
    """A practitioner and the days they were in the program (None = unbounded), less the
    periods they were away: [left_on, returned_on), returned_on None while still away."""

    practitioner_id: str
    active_from: date | None = None
    active_to: date | None = None  # last active day, included
    away: tuple[tuple[date, date | None], ...] = ()

    def active_during(self, start: date, end: date) -> bool:
        """Whether at least one day of [start, end] is an active day."""
        first = max(start, self.active_from) if self.active_from else start
        last = min(end, self.active_to) if self.active_to else end
        for left_on, returned_on in sorted(self.away):
            if first < left_on:
                break
            if returned_on is None:
                return False
            first = max(first, returned_on)
        return first <= last


@dataclass(frozen=True, slots=True, kw_only=True)
class MonthlyCoaching:
    month: str  # "YYYY-MM"
    practitioners_coached: int
    active_practitioners: int
    share: float | None


@dataclass(frozen=True, slots=True, kw_only=True)
class PeerLearningParticipation:
    window_start: date
    window_end: date
    sessions: int
    practitioners_attending: int
    active_practitioners: int
    share: float | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ReflectionActivity:
    window_start: date
    window_end: date
    reflections: int
    practitioners_reflecting: int
    active_practitioners: int
    share: float | None


@dataclass(frozen=True, slots=True, kw_only=True)
class CultureIndicators:
    as_of: date
    monthly_coaching: tuple[MonthlyCoaching, ...]  # 12 months, newest last
    median_days_between_sessions: float | None
    session_gaps_counted: int  # how many gaps the median rests on
    peer_learning: PeerLearningParticipation
    reflection: ReflectionActivity


def roster_of(practitioner_ids: Iterable[str]) -> tuple[RosterMember, ...]:
    """A roster of practitioners active throughout, for callers that only know ids."""
    return tuple(RosterMember(practitioner_id=p) for p in dict.fromkeys(practitioner_ids))


def culture_indicators(
    *,
    roster: Iterable[RosterMember],
    coaching_sessions: Iterable[CoachingSession],
    peer_sessions: Iterable[PeerLearningSession],
    reflections: Iterable[Reflection],
    as_of: date,
) -> CultureIndicators:
    """The culture indicators of everyone on ``roster`` as of ``as_of``.

    Records of people not on the roster, and records dated after ``as_of``, are
    ignored, so the caller may pass the agency's whole history.
    """
    members = {m.practitioner_id: m for m in roster}
    coaching_days = _coaching_days(coaching_sessions, members, as_of)
    months = _last_months(as_of)
    gaps = _pooled_gaps(coaching_days, since=months[0][0])
    return CultureIndicators(
        as_of=as_of,
        monthly_coaching=tuple(
            _month_coverage(start, end, members, coaching_days) for start, end in months
        ),
        median_days_between_sessions=float(statistics.median(gaps)) if gaps else None,
        session_gaps_counted=len(gaps),
        peer_learning=_peer_learning(peer_sessions, members, as_of),
        reflection=_reflection(reflections, members, as_of),
    )


def team_culture_indicators(
    *,
    team: Iterable[str],
    roster: Iterable[RosterMember],
    coaching_sessions: Iterable[CoachingSession],
    peer_sessions: Iterable[PeerLearningSession],
    reflections: Iterable[Reflection],
    as_of: date,
) -> CultureIndicators:
    """The same indicators restricted to a supervisor's ``team`` (practitioner ids).

    Team members missing from the roster are not counted: the roster says who was in
    the program and when, the team only narrows it.
    """
    team_ids = frozenset(team)
    return culture_indicators(
        roster=[m for m in roster if m.practitioner_id in team_ids],
        coaching_sessions=coaching_sessions,
        peer_sessions=peer_sessions,
        reflections=reflections,
        as_of=as_of,
    )


def _coaching_days(
    sessions: Iterable[CoachingSession], members: dict[str, RosterMember], as_of: date
) -> dict[str, list[date]]:
    days: dict[str, set[date]] = {p: set() for p in members}
    for session in sessions:
        if session.practitioner_id in days and session.held_on <= as_of:
            days[session.practitioner_id].add(session.held_on)
    return {p: sorted(d) for p, d in days.items()}


def _last_months(as_of: date) -> list[tuple[date, date]]:
    """(first day, last counted day) of the 12 months ending with ``as_of``'s month."""
    months: list[tuple[date, date]] = []
    start, end = as_of.replace(day=1), as_of
    for _ in range(MONTHS_OF_COACHING):
        months.append((start, end))
        end = start - timedelta(days=1)
        start = end.replace(day=1)
    return months[::-1]


def _month_coverage(
    start: date, end: date, members: dict[str, RosterMember], coaching_days: dict[str, list[date]]
) -> MonthlyCoaching:
    active = [p for p, m in members.items() if m.active_during(start, end)]
    coached = [p for p in active if any(start <= d <= end for d in coaching_days[p])]
    return MonthlyCoaching(
        month=start.strftime("%Y-%m"),
        practitioners_coached=len(coached),
        active_practitioners=len(active),
        share=_share(len(coached), len(active)),
    )


def _pooled_gaps(coaching_days: dict[str, list[date]], *, since: date) -> list[int]:
    gaps: list[int] = []
    for days in coaching_days.values():
        in_window = [d for d in days if d >= since]
        gaps.extend((later - earlier).days for earlier, later in itertools.pairwise(in_window))
    return gaps


def _peer_learning(
    sessions: Iterable[PeerLearningSession], members: dict[str, RosterMember], as_of: date
) -> PeerLearningParticipation:
    start = as_of - timedelta(days=PEER_LEARNING_DAYS - 1)
    active = {p for p, m in members.items() if m.active_during(start, as_of)}
    in_window = [s for s in sessions if start <= s.held_on <= as_of and s.attendees & active]
    attending = {p for s in in_window for p in s.attendees & active}
    return PeerLearningParticipation(
        window_start=start,
        window_end=as_of,
        sessions=len(in_window),
        practitioners_attending=len(attending),
        active_practitioners=len(active),
        share=_share(len(attending), len(active)),
    )


def _reflection(
    reflections: Iterable[Reflection], members: dict[str, RosterMember], as_of: date
) -> ReflectionActivity:
    start = as_of - timedelta(days=REFLECTION_DAYS - 1)
    active = {p for p, m in members.items() if m.active_during(start, as_of)}
    in_window = [
        r for r in reflections if start <= r.written_on <= as_of and r.practitioner_id in active
    ]
    reflecting = {r.practitioner_id for r in in_window}
    return ReflectionActivity(
        window_start=start,
        window_end=as_of,
        reflections=len(in_window),
        practitioners_reflecting=len(reflecting),
        active_practitioners=len(active),
        share=_share(len(reflecting), len(active)),
    )


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None
