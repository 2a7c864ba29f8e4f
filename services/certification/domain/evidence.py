"""The evidence the certification fold consumes, and the set that holds it.

Each item is the certification-relevant content of one event from another service
(or from certification's own roster and admin commands), keyed by that event's id.
Every item carries the practitioner it is about and ``occurred_on``: the *practice
date* (the meeting, the session, the mastery, the program start), never the date it
was recorded. All rules are computed on practice dates, at day resolution.

``EvidenceSet`` is a set keyed by event id: adding an id twice changes nothing, so
at-least-once delivery is harmless, and iteration is chronological whatever the
arrival order, so the fold cannot depend on it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from services.certification.domain.vocabulary import (
    CoachingComponent,
    Competency,
    InstrumentKind,
    Percent,
    Role,
    RosterField,
    SkillLevel,
)
from shared.practice_time import EARLIEST_DATE, LATEST_DATE

NonEmpty = Annotated[str, Field(min_length=1)]
# Before this, a date is a typo; the fold's date arithmetic also needs the headroom.
# The kernel's range (shared.practice_time), so evidence every upstream service accepts
# is never refused here; outside it, the event is a dead letter (rejected_evidence).
EARLIEST_PRACTICE_DATE = EARLIEST_DATE
LATEST_PRACTICE_DATE = LATEST_DATE


class _Evidence(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: NonEmpty
    practitioner_id: NonEmpty
    occurred_on: date = Field(ge=EARLIEST_PRACTICE_DATE, le=LATEST_PRACTICE_DATE)


class PractitionerEnrolled(_Evidence):
    """A roster entry: ``occurred_on`` is the program start date (tenure counts from it).

    A later enrollment supersedes an earlier one (a practitioner who re-enters the
    program starts tenure again); its ``coach_id`` is an assignment from that date.
    """

    kind: Literal["practitioner_enrolled"] = "practitioner_enrolled"
    role: Role
    coach_id: str | None = None


class RosterDetailsChanged(_Evidence):
    """A roster change effective ``occurred_on``: the full details from that day on.

    ``changed`` names the fields the change moved; only those are news to the fold
    (a changed ``coach_id`` is an assignment from that day, None meaning no coach; a
    changed ``program_start`` restarts tenure from the new start).
    """

    kind: Literal["roster_details_changed"] = "roster_details_changed"
    changed: tuple[RosterField, ...] = Field(min_length=1)
    role: Role
    coach_id: str | None = None
    program_start: date = Field(ge=EARLIEST_PRACTICE_DATE, le=LATEST_PRACTICE_DATE)


class PractitionerLeft(_Evidence):
    """The practitioner left the roster on ``occurred_on``: evaluation pauses until a return."""

    kind: Literal["practitioner_left"] = "practitioner_left"


class PractitionerReturned(_Evidence):
    """The practitioner came back on ``occurred_on``: evaluation resumes that day."""

    kind: Literal["practitioner_returned"] = "practitioner_returned"


class CoachAssigned(_Evidence):
    """The practitioner's coach from ``occurred_on`` until the next assignment."""

    kind: Literal["coach_assigned"] = "coach_assigned"
    coach_id: NonEmpty


class ModuleMastered(_Evidence):
    """A module's assessment passed at the mastery score on ``occurred_on``."""

    kind: Literal["module_mastered"] = "module_mastered"
    module_id: NonEmpty
    order_index: int = Field(ge=1)
    # What learning knew when it recorded the mastery. Not used: whether modules were
    # mastered in order is decided from the mastery dates at evaluation time.
    previous_module_mastered: bool | None = None


class ConceptLapsed(_Evidence):
    """A mastered concept's recall fell so far overdue that learning calls it lapsed."""

    kind: Literal["concept_lapsed"] = "concept_lapsed"
    concept_id: NonEmpty


class ConceptRestored(_Evidence):
    """A lapsed concept recalled again (a successful review)."""

    kind: Literal["concept_restored"] = "concept_restored"
    concept_id: NonEmpty


class CoachingSessionHeld(_Evidence):
    """A coaching session with the practitioner as coachee."""

    kind: Literal["coaching_session_held"] = "coaching_session_held"
    coach_id: NonEmpty
    components: frozenset[CoachingComponent]


class SkillRated(_Evidence):
    """A rating of one competency; the latest rating of a competency is the current one."""

    kind: Literal["skill_rated"] = "skill_rated"
    competency: Competency
    level: SkillLevel
    rater_id: NonEmpty


class ObservationRecorded(_Evidence):
    """A scored fidelity observation of the practitioner (one per observation id).

    ``observer_calibrated`` arrives as fidelity's verdict when it wrote the observation;
    the adapter loading evidence decides it again from the agency's calibrations on the
    meeting date (``domain/calibrations.py``), so a calibration recorded later counts.
    """

    kind: Literal["observation_recorded"] = "observation_recorded"
    observation_id: NonEmpty
    instrument_kind: InstrumentKind
    instrument_key: NonEmpty
    instrument_version: int = Field(ge=1)  # fidelity sends an integer (docs/events.md)
    observer_id: NonEmpty
    observer_calibrated: bool
    total_percent: Percent
    domain_percents: Mapping[str, Percent] = Field(default_factory=dict)
    # entered from a historical paper form (scores, no indicator ratings); whether it
    # counts is the policy's choice (``ObservationRules.count_imported_paper``)
    imported: bool = False


class CertificationRevoked(_Evidence):
    """An agency admin revoked a certification level (``level_key`` None: every level)."""

    kind: Literal["certification_revoked"] = "certification_revoked"
    admin_id: NonEmpty
    reason: NonEmpty
    level_key: str | None = None


class CertificationReinstated(_Evidence):
    """An agency admin lifted a revocation (``level_key`` None: every level)."""

    kind: Literal["certification_reinstated"] = "certification_reinstated"
    admin_id: NonEmpty
    reason: NonEmpty
    level_key: str | None = None


Evidence = Annotated[
    PractitionerEnrolled
    | RosterDetailsChanged
    | PractitionerLeft
    | PractitionerReturned
    | CoachAssigned
    | ModuleMastered
    | ConceptLapsed
    | ConceptRestored
    | CoachingSessionHeld
    | SkillRated
    | ObservationRecorded
    | CertificationRevoked
    | CertificationReinstated,
    Field(discriminator="kind"),
]
# Parses one item from JSON or a dict by its ``kind`` (what a consumer stores per event).
EVIDENCE_ADAPTER: TypeAdapter[Evidence] = TypeAdapter(Evidence)
_EVIDENCE_LIST: TypeAdapter[list[Evidence]] = TypeAdapter(list[Evidence])
_PARSED_AT_ONCE = 1000  # items per JSON array: a bounded string however many are read


def parse_evidence(texts: Sequence[str]) -> list[Evidence]:
    """Stored items (one JSON text each) parsed in order, as `EVIDENCE_ADAPTER` parses
    each: validated as JSON arrays of up to a thousand, which costs a fifth to a third
    less than one call per item (a practitioner's history, an agency's evidence)."""
    parsed: list[Evidence] = []
    for start in range(0, len(texts), _PARSED_AT_ONCE):
        chunk = texts[start : start + _PARSED_AT_ONCE]
        parsed.extend(_EVIDENCE_LIST.validate_json("[" + ",".join(chunk) + "]"))
    return parsed


class ConflictingEvidenceError(ValueError):
    """Two different items under one event id, or an item about another practitioner."""


def chronological_key(item: Evidence) -> tuple[date, str]:
    """The canonical order of evidence: practice date, then event id as a stable tie-break."""
    return (item.occurred_on, item.event_id)


class EvidenceSet(Mapping[str, Evidence]):
    """One practitioner's evidence as an immutable mapping event id → item.

    Set semantics: an item whose event id is already present is dropped when it is
    equal to the stored one (a redelivery) and refused when it differs (two events
    cannot share an id), so the outcome never depends on insertion order.
    """

    __slots__ = ("_items", "practitioner_id")

    def __init__(self, practitioner_id: str, items: Iterable[Evidence] = ()) -> None:
        self.practitioner_id = practitioner_id
        collected: dict[str, Evidence] = {}
        for item in items:
            if item.practitioner_id != practitioner_id:
                self._check_practitioner(item)
            known = collected.get(item.event_id)
            if known is None:
                collected[item.event_id] = item
            elif known != item:
                raise ConflictingEvidenceError(
                    f"event {item.event_id} arrived with two different contents"
                )
        self._items = collected

    def _check_practitioner(self, item: Evidence) -> None:
        if item.practitioner_id != self.practitioner_id:
            raise ConflictingEvidenceError(
                f"event {item.event_id} is about {item.practitioner_id}, not {self.practitioner_id}"
            )

    def with_items(self, *items: Evidence) -> EvidenceSet:
        """A new set with ``items`` added (same rules as the constructor)."""
        return EvidenceSet(self.practitioner_id, [*self._items.values(), *items])

    def up_to(self, as_of: date) -> EvidenceSet:
        """The evidence that had happened in practice by the end of ``as_of``."""
        return EvidenceSet(
            self.practitioner_id, (i for i in self._items.values() if i.occurred_on <= as_of)
        )

    def same_before(self, other: EvidenceSet, cut: date) -> bool:
        """Whether ``other`` holds exactly this set's items dated before ``cut`` (the same
        or equal items under the same ids) and no other item dated before it."""
        mine = self._items
        matched = 0
        # newest stored last: evidence that does not fit is mostly found at once
        for event_id, item in reversed(other._items.items()):
            if item.occurred_on < cut:
                known = mine.get(event_id)
                if known is None or (known is not item and known != item):
                    return False
                matched += 1
        return matched == sum(1 for item in mine.values() if item.occurred_on < cut)

    def unordered(self) -> Iterable[Evidence]:
        """The items in no particular order, for a caller that orders them itself
        (``values()`` sorts them chronologically on every call)."""
        return self._items.values()

    def chronological(self) -> list[Evidence]:
        return sorted(self._items.values(), key=chronological_key)

    def __getitem__(self, event_id: str) -> Evidence:
        return self._items[event_id]

    def __iter__(self) -> Iterator[str]:
        return (item.event_id for item in self.chronological())

    def __len__(self) -> int:
        return len(self._items)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, EvidenceSet):
            return NotImplemented
        return self.practitioner_id == other.practitioner_id and self._items == other._items

    def __repr__(self) -> str:
        return f"EvidenceSet({self.practitioner_id!r}, {len(self)} items)"
