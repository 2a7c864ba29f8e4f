"""Data builders for the certification fold: a practitioner's history, built fluently.

``PractitionerHistory.certified_facilitator()`` is a complete history that earns the
default Facilitator level on ``GRANT_DAY``; tests add, remove or alter pieces of it
rather than writing evidence dicts by hand. Event ids are ``ev-1``, ``ev-2``…,
observation ids ``obs-1``, ``obs-2``… in the order the builder calls were made.

The canonical history (default policy):

- enrolled 2025-01-06 with coach ``coach-1`` (300 days of tenure on 2025-11-02);
- modules M1…M6 mastered every 4 weeks from 2025-02-03, each after the previous;
- coaching with practice and feedback on the 15th of each month, Feb 2025 – Jan 2026;
- all eight competencies rated independent on 2025-10-15;
- obs-1 on 2025-10-20 (86%) observed by the practitioner's own coach, obs-2 on
  2025-12-01 (83%) by the independent ``observer-9``: 42 days apart → granted then.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, timedelta
from typing import Self

from services.certification.domain.evidence import (
    CertificationReinstated,
    CertificationRevoked,
    CoachAssigned,
    CoachingSessionHeld,
    ConceptLapsed,
    ConceptRestored,
    Evidence,
    EvidenceSet,
    ModuleMastered,
    ObservationRecorded,
    PractitionerEnrolled,
    PractitionerLeft,
    PractitionerReturned,
    RosterDetailsChanged,
    SkillRated,
)
from services.certification.domain.seed_policies import CORE_MODULE_IDS
from services.certification.domain.state import CertificationState, RequirementResult
from services.certification.domain.vocabulary import (
    CORE_COMPETENCIES,
    CoachingComponent,
    Competency,
    InstrumentKind,
    Role,
    RosterField,
    SkillLevel,
)

PRACTITIONER = "pr-1"
COACH = "coach-1"
INDEPENDENT_OBSERVER = "observer-9"
PROGRAM_START = date(2025, 1, 6)
FIRST_OBSERVATION_DAY = date(2025, 10, 20)
GRANT_DAY = date(2025, 12, 1)
DOMAINS = ("engagement", "teamwork", "planning", "outcomes")


def days_after(day: date, days: int) -> date:
    return day + timedelta(days=days)


class PractitionerHistory:
    """A mutable, fluent list of one practitioner's evidence; ``build()`` freezes it."""

    def __init__(self, practitioner_id: str = PRACTITIONER) -> None:
        self.practitioner_id = practitioner_id
        self.items: list[Evidence] = []
        self._events = 0
        self._observations = 0

    @classmethod
    def certified_facilitator(cls, practitioner_id: str = PRACTITIONER) -> PractitionerHistory:
        return (
            cls(practitioner_id)
            .enrolled(PROGRAM_START, coach_id=COACH)
            .all_modules_mastered(date(2025, 2, 3), every_days=28)
            .monthly_coaching(date(2025, 2, 15), months=12)
            .all_rated(SkillLevel.INDEPENDENT, date(2025, 10, 15))
            .observed(FIRST_OBSERVATION_DAY, total=86, observer=COACH)
            .observed(GRANT_DAY, total=83, observer=INDEPENDENT_OBSERVER)
        )

    # -- plumbing -----------------------------------------------------------------

    def _event_id(self) -> str:
        self._events += 1
        return f"ev-{self._events}"

    def _add(self, item: Evidence) -> Self:
        self.items.append(item)
        return self

    @property
    def last_event_id(self) -> str:
        return self.items[-1].event_id

    def without(self, predicate: Callable[[Evidence], bool]) -> Self:
        """Drop every item the predicate selects (e.g. ``of_kind(SkillRated)``)."""
        self.items = [item for item in self.items if not predicate(item)]
        return self

    def build(self) -> EvidenceSet:
        return EvidenceSet(self.practitioner_id, self.items)

    # -- roster -------------------------------------------------------------------

    def enrolled(
        self, on: date = PROGRAM_START, *, coach_id: str | None = COACH, role: Role = "facilitator"
    ) -> Self:
        return self._add(
            PractitionerEnrolled(
                event_id=self._event_id(),
                practitioner_id=self.practitioner_id,
                occurred_on=on,
                role=role,
                coach_id=coach_id,
            )
        )

    def coach_assigned(self, coach_id: str, on: date) -> Self:
        return self._add(
            CoachAssigned(
                event_id=self._event_id(),
                practitioner_id=self.practitioner_id,
                occurred_on=on,
                coach_id=coach_id,
            )
        )

    def roster_changed(
        self,
        on: date,
        *changed: RosterField,
        role: Role = "facilitator",
        coach_id: str | None = COACH,
        program_start: date = PROGRAM_START,
    ) -> Self:
        return self._add(
            RosterDetailsChanged(
                event_id=self._event_id(),
                practitioner_id=self.practitioner_id,
                occurred_on=on,
                changed=changed,
                role=role,
                coach_id=coach_id,
                program_start=program_start,
            )
        )

    def left(self, on: date) -> Self:
        return self._add(
            PractitionerLeft(
                event_id=self._event_id(), practitioner_id=self.practitioner_id, occurred_on=on
            )
        )

    def returned(self, on: date) -> Self:
        return self._add(
            PractitionerReturned(
                event_id=self._event_id(), practitioner_id=self.practitioner_id, occurred_on=on
            )
        )

    # -- learning -----------------------------------------------------------------

    def mastered(self, module_id: str, on: date, *, previous_module_mastered: bool = True) -> Self:
        return self._add(
            ModuleMastered(
                event_id=self._event_id(),
                practitioner_id=self.practitioner_id,
                occurred_on=on,
                module_id=module_id,
                order_index=CORE_MODULE_IDS.index(module_id) + 1,
                previous_module_mastered=previous_module_mastered,
            )
        )

    def all_modules_mastered(self, first: date, *, every_days: int) -> Self:
        for index, module_id in enumerate(CORE_MODULE_IDS):
            self.mastered(module_id, days_after(first, index * every_days))
        return self

    def concept_lapsed(self, concept_id: str, on: date) -> Self:
        return self._add(
            ConceptLapsed(
                event_id=self._event_id(),
                practitioner_id=self.practitioner_id,
                occurred_on=on,
                concept_id=concept_id,
            )
        )

    def concept_restored(self, concept_id: str, on: date) -> Self:
        return self._add(
            ConceptRestored(
                event_id=self._event_id(),
                practitioner_id=self.practitioner_id,
                occurred_on=on,
                concept_id=concept_id,
            )
        )

    # -- coaching -----------------------------------------------------------------

    def coached(
        self,
        on: date,
        components: Iterable[CoachingComponent] = ("observation", "practice", "feedback"),
        *,
        coach_id: str = COACH,
    ) -> Self:
        return self._add(
            CoachingSessionHeld(
                event_id=self._event_id(),
                practitioner_id=self.practitioner_id,
                occurred_on=on,
                coach_id=coach_id,
                components=frozenset(components),
            )
        )

    def monthly_coaching(self, first: date, *, months: int) -> Self:
        """One session on ``first``'s day of month, for ``months`` consecutive months."""
        for offset in range(months):
            index = first.month - 1 + offset
            self.coached(date(first.year + index // 12, index % 12 + 1, first.day))
        return self

    def rated(
        self, competency: Competency, level: SkillLevel, on: date, *, rater_id: str = COACH
    ) -> Self:
        return self._add(
            SkillRated(
                event_id=self._event_id(),
                practitioner_id=self.practitioner_id,
                occurred_on=on,
                competency=competency,
                level=level,
                rater_id=rater_id,
            )
        )

    def all_rated(self, level: SkillLevel, on: date) -> Self:
        for competency in CORE_COMPETENCIES:
            self.rated(competency, level, on)
        return self

    # -- fidelity -----------------------------------------------------------------

    def observed(
        self,
        on: date,
        *,
        total: float = 86,
        domains: Mapping[str, float] | None = None,
        observer: str = INDEPENDENT_OBSERVER,
        calibrated: bool = True,
        kind: InstrumentKind = "team_meeting",
        imported: bool = False,
    ) -> Self:
        """An observation; domains default to the total in every domain."""
        self._observations += 1
        return self._add(
            ObservationRecorded(
                event_id=self._event_id(),
                practitioner_id=self.practitioner_id,
                occurred_on=on,
                observation_id=f"obs-{self._observations}",
                instrument_kind=kind,
                instrument_key=f"{kind.replace('_', '-')}-observation",
                instrument_version=1,
                observer_id=observer,
                observer_calibrated=calibrated,
                total_percent=total,
                domain_percents=dict.fromkeys(DOMAINS, total) if domains is None else domains,
                imported=imported,
            )
        )

    def observed_every(self, first: date, *, count: int, every_days: int, total: float) -> Self:
        for index in range(count):
            self.observed(days_after(first, index * every_days), total=total)
        return self

    # -- admin --------------------------------------------------------------------

    def revoked(
        self, on: date, *, reason: str = "falsified records", level: str | None = None
    ) -> Self:
        return self._add(
            CertificationRevoked(
                event_id=self._event_id(),
                practitioner_id=self.practitioner_id,
                occurred_on=on,
                admin_id="admin-1",
                reason=reason,
                level_key=level,
            )
        )

    def reinstated(
        self, on: date, *, reason: str = "appeal upheld", level: str | None = None
    ) -> Self:
        return self._add(
            CertificationReinstated(
                event_id=self._event_id(),
                practitioner_id=self.practitioner_id,
                occurred_on=on,
                admin_id="admin-1",
                reason=reason,
                level_key=level,
            )
        )


def of_kind(kind: type) -> Callable[[Evidence], bool]:
    return lambda item: isinstance(item, kind)


def observation_named(observation_id: str) -> Callable[[Evidence], bool]:
    return lambda item: (
        isinstance(item, ObservationRecorded) and item.observation_id == observation_id
    )


def requirement(state: CertificationState, level: str, kind: str) -> RequirementResult:
    """The result of the requirement of type ``kind`` of ``level``."""
    return next(r for r in state.level(level).requirements if r.requirement == kind)


def story(state: CertificationState, level: str = "facilitator") -> list[tuple[str, date]]:
    """A level's transitions as (kind, date) pairs: the shape most assertions need."""
    return [(t.kind.value, t.on) for t in state.level(level).transitions]
