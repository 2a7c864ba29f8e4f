"""Evidence indexed by kind and practice date, answering "what was known on day d?".

The replay in ``evaluate`` asks the same questions at many dates, so the evidence is
sorted once per kind and each question slices it with a binary search.

When two facts of one kind land on the same day their order is unknowable, so a
fixed rule decides (and keeps the fold order-independent): a concept restored beats
a lapse that day, the lower of two skill ratings stands, a coach assignment beats
a roster change's coach, which beats the enrollment's coach, a reinstatement beats a
revocation. Otherwise the event id breaks ties.

A practitioner who left the roster is away from the leaving day up to (not including)
the return day. Evidence dated while away does not count (the other services refuse
it; what still arrives is kept but ignored); the roster's own facts and the admin's
decisions do.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from services.certification.domain.evidence import (
    CertificationReinstated,
    CertificationRevoked,
    CoachAssigned,
    CoachingSessionHeld,
    ConceptLapsed,
    ConceptRestored,
    EvidenceSet,
    ModuleMastered,
    ObservationRecorded,
    PractitionerEnrolled,
    PractitionerLeft,
    PractitionerReturned,
    RosterDetailsChanged,
    SkillRated,
)
from services.certification.domain.timeline_series import Series, by_date, series
from services.certification.domain.vocabulary import Competency, InstrumentKind

R = TypeVar("R")

ConceptEvent = ConceptLapsed | ConceptRestored
CoachEvent = PractitionerEnrolled | RosterDetailsChanged | CoachAssigned
AdminAction = CertificationRevoked | CertificationReinstated
# Counted even while the practitioner is away: they are about the roster itself.
_ROSTER_FACTS = (
    PractitionerEnrolled,
    RosterDetailsChanged,
    PractitionerLeft,
    PractitionerReturned,
    CertificationRevoked,
    CertificationReinstated,
)


@dataclass(frozen=True)
class ProgramStart:
    """Tenure counts from ``started_on``; the roster said so from ``occurred_on`` on."""

    occurred_on: date
    started_on: date
    event_id: str


@dataclass(frozen=True)
class AwayPeriod:
    """Days off the roster: from ``left_on`` up to, not including, ``returned_on``."""

    left_on: date
    returned_on: date | None

    def __contains__(self, day: object) -> bool:
        return (
            isinstance(day, date)
            and self.left_on <= day
            and (self.returned_on is None or day < self.returned_on)
        )


def away_periods(items: Iterable[Any]) -> tuple[AwayPeriod, ...]:
    """The periods the leavings and returns in ``items`` describe (a return closes one)."""
    moves = sorted(
        (i for i in items if isinstance(i, PractitionerLeft | PractitionerReturned)),
        key=lambda i: (i.occurred_on, isinstance(i, PractitionerReturned), i.event_id),
    )
    periods: list[AwayPeriod] = []
    left_on: date | None = None
    for move in moves:
        if isinstance(move, PractitionerLeft) and left_on is None:
            left_on = move.occurred_on
        elif isinstance(move, PractitionerReturned) and left_on is not None:
            periods.append(AwayPeriod(left_on, move.occurred_on))
            left_on = None
    if left_on is not None:
        periods.append(AwayPeriod(left_on, None))
    return tuple(periods)


def _coach_rank(item: CoachEvent) -> int:
    return 2 if isinstance(item, CoachAssigned) else int(isinstance(item, RosterDetailsChanged))


def _program_start(item: PractitionerEnrolled | RosterDetailsChanged) -> ProgramStart:
    started_on = item.program_start if isinstance(item, RosterDetailsChanged) else item.occurred_on
    return ProgramStart(item.occurred_on, started_on, item.event_id)


def _by_kind(items: Iterable[Any]) -> dict[str, list[Any]]:
    """The items sorted by kind in one pass; each series orders its own (the evidence's
    order does not matter: every series key ends with the unique event id)."""
    kinds: dict[str, list[Any]] = {}
    for item in items:
        kinds.setdefault(item.kind, []).append(item)
    return kinds


class Timeline:
    """One practitioner's evidence up to ``until``; later evidence is left out entirely.

    ``count_imported_paper`` is the policy's choice about imported paper observations;
    they stay in the timeline so explanations can say why they do not count.
    """

    def __init__(
        self, evidence: EvidenceSet, until: date, *, count_imported_paper: bool = True
    ) -> None:
        known = [item for item in evidence.unordered() if item.occurred_on <= until]
        kinds = _by_kind(known)
        self.away = (
            away_periods([*kinds["practitioner_left"], *kinds.get("practitioner_returned", ())])
            if "practitioner_left" in kinds
            else ()
        )
        items = known
        if self.away:
            items = [
                item
                for item in known
                if isinstance(item, _ROSTER_FACTS) or not self.is_away(item.occurred_on)
            ]
            kinds = _by_kind(items)
        self.practitioner_id = evidence.practitioner_id
        self.count_imported_paper = count_imported_paper
        self.dates: tuple[date, ...] = tuple(sorted({item.occurred_on for item in items}))
        enrolled: list[PractitionerEnrolled] = kinds.get("practitioner_enrolled", [])
        changed: list[RosterDetailsChanged] = kinds.get("roster_details_changed", [])
        assigned: list[CoachAssigned] = kinds.get("coach_assigned", [])
        self._program_starts = series(
            [
                *(_program_start(i) for i in enrolled),
                *(_program_start(i) for i in changed if "program_start" in i.changed),
            ],
            lambda start: (start.occurred_on, start.event_id),
        )
        coaches: list[CoachEvent] = [
            *assigned,
            *(i for i in enrolled if i.coach_id is not None),
            *(i for i in changed if "coach_id" in i.changed),
        ]
        self._coaches = series(coaches, lambda i: (i.occurred_on, _coach_rank(i), i.event_id))
        self._masteries = series(kinds.get("module_mastered", []), by_date)
        self._concepts = series(
            [*kinds.get("concept_lapsed", []), *kinds.get("concept_restored", [])],
            lambda i: (i.occurred_on, isinstance(i, ConceptRestored), i.event_id),
        )
        self._sessions = series(kinds.get("coaching_session_held", []), by_date)
        self._ratings = series(
            kinds.get("skill_rated", []), lambda i: (i.occurred_on, -i.level.rank, i.event_id)
        )
        observed: dict[InstrumentKind, list[ObservationRecorded]] = {
            "team_meeting": [],
            "coaching": [],
        }
        for observation in kinds.get("observation_recorded", ()):
            observed[observation.instrument_kind].append(observation)
        self._observations: dict[InstrumentKind, Series[ObservationRecorded]] = {
            kind: series(found, by_date) for kind, found in observed.items()
        }
        admin: list[AdminAction] = [
            *kinds.get("certification_revoked", []),
            *kinds.get("certification_reinstated", []),
        ]
        self._admin = series(
            admin, lambda i: (i.occurred_on, isinstance(i, CertificationReinstated), i.event_id)
        )
        self.has_admin_actions = bool(admin)
        # ``len(masteries(on))`` for a day ``on``, without the slice; likewise the others.
        self.mastery_count = self._masteries.count_until
        self.concept_count = self._concepts.count_until
        self.session_count = self._sessions.count_until
        self.rating_count = self._ratings.count_until
        self._lapsed_flags: dict[tuple[str, ...] | None, list[bool]] = {}
        self._memo: dict[tuple[int, Hashable], tuple[object, Any]] = {}

    def remember(self, rule: object, inputs: Hashable, compute: Callable[[], R]) -> R:
        """``compute()`` for ``rule``, once per ``inputs`` for this timeline.

        The replay judges every rule on every checkpoint day, and most rules read only
        one kind of evidence: while none of that kind arrives, the answer is the same.
        A checker names as ``inputs`` everything it reads besides the rule (how much of
        its evidence is known by the day, ...), so a hit returns exactly what computing
        again would. A rule object stands for one question (a requirement; maintenance's
        score rules; its concept rule), and is held with its answers, so its id stays
        its own while the timeline lives.
        """
        key = (id(rule), inputs)
        found = self._memo.get(key)
        if found is not None and found[0] is rule:
            answer: R = found[1]
            return answer
        answer = compute()
        self._memo[key] = (rule, answer)
        return answer

    def is_away(self, on: date) -> bool:
        """Was the practitioner off the roster on ``on`` (left, not yet returned)?"""
        return bool(self.away) and any(on in period for period in self.away)

    def program_starts(self) -> Sequence[ProgramStart]:
        return self._program_starts.items

    def program_start(self, on: date) -> ProgramStart | None:
        """The program start in force on ``on``: the latest the roster recorded by then."""
        known = self._program_starts.until(on)
        return known[-1] if known else None

    def coach_on(self, on: date) -> str | None:
        known = self._coaches.until(on)
        if not known:
            return None
        latest = known[-1]
        return latest.coach_id

    def masteries(self, on: date) -> Sequence[ModuleMastered]:
        return self._masteries.until(on)

    def concept_states(self, on: date) -> dict[str, ConceptEvent]:
        """Each concept's latest lapse or restoration by ``on``."""
        return {event.concept_id: event for event in self._concepts.until(on)}

    def any_concept_lapsed(self, on: date, concept_ids: tuple[str, ...] | None) -> bool:
        """Whether any concept of ``concept_ids`` (None: any) is lapsed on ``on``: its
        latest event by then a lapse, as `concept_states` has it."""
        flags = self._lapsed_flags.get(concept_ids)
        if flags is None:  # the answer after each prefix of the series, in one pass
            lapsed: set[str] = set()
            flags = [False]
            for event in self._concepts.items:
                if concept_ids is None or event.concept_id in concept_ids:
                    if isinstance(event, ConceptLapsed):
                        lapsed.add(event.concept_id)
                    else:
                        lapsed.discard(event.concept_id)
                flags.append(bool(lapsed))
            self._lapsed_flags[concept_ids] = flags
        return flags[self._concepts.count_until(on)]

    def coaching_sessions(self, on: date) -> Sequence[CoachingSessionHeld]:
        return self._sessions.until(on)

    def coaching_sessions_between(self, first: date, on: date) -> Sequence[CoachingSessionHeld]:
        """The sessions dated from ``first`` to ``on``, both included."""
        return self._sessions.between(first, on)

    def ratings(self) -> Sequence[SkillRated]:
        """Every rating, in the order a later one supersedes an earlier one."""
        return self._ratings.items

    def current_ratings(self, on: date) -> dict[Competency, SkillRated]:
        """Each competency's rating in force on ``on`` (its latest)."""
        return {rating.competency: rating for rating in self._ratings.until(on)}

    def observations(self, on: date, kind: InstrumentKind) -> Sequence[ObservationRecorded]:
        return self._observations[kind].until(on)

    def observation_span(
        self, kind: InstrumentKind, on: date, earliest: date, after: date | None
    ) -> tuple[int, int]:
        """``(start, end)``: ``observations(on, kind)[start:end]`` are those dated on or
        after ``earliest`` and (when ``after`` is given) later than ``after``."""
        series = self._observations[kind]
        start = series.first_from(earliest)
        if after is not None:
            start = max(start, series.count_until(after))
        end = series.count_until(on)
        return min(start, end), end

    def observation_count(self, on: date, kind: InstrumentKind) -> int:
        return self._observations[kind].count_until(on)

    def all_observations(self) -> Sequence[ObservationRecorded]:
        return [o for series in self._observations.values() for o in series.items]

    def admin_action(self, on: date, level_key: str) -> AdminAction | None:
        """The latest revocation or reinstatement by ``on`` that applies to ``level_key``."""
        for action in reversed(self._admin.until(on)):
            if action.level_key in (None, level_key):
                return action
        return None
