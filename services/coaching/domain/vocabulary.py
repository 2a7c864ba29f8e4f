"""The closed vocabularies of coaching: competencies, components, modalities, levels.

Commands arrive with plain strings (from JSON); ``parse_*`` turn them into these enums
or raise ``InvalidFieldError`` listing the accepted values, so a caller learns the fix from
the error itself. Everything else in the domain works on the enums only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import Enum, StrEnum
from typing import TypeVar

from services.coaching.domain.errors import InvalidFieldError
from services.coaching.domain.field_rules import ensure_list


class Competency(StrEnum):
    """The eight competencies of the MiiWrap framework (seed data, ids as in DOMAIN.md)."""

    ENG = "ENG"
    STR = "STR"
    FAC = "FAC"
    NEED = "NEED"
    SAFE = "SAFE"
    NAT = "NAT"
    MON = "MON"
    TRAN = "TRAN"

    # Not ``title``/``name``: StrEnum already has str.title() and Enum.name.
    @property
    def display_name(self) -> str:
        return COMPETENCY_NAMES[self]

    @property
    def phase(self) -> int:
        """The Wraparound phase (1 Engagement … 4 Transition) the competency belongs to."""
        return COMPETENCY_PHASES[self]


COMPETENCY_NAMES: Mapping[Competency, str] = {
    Competency.ENG: "Engagement and team preparation",
    Competency.STR: "Strengths and culture discovery",
    Competency.FAC: "Team meeting facilitation",
    Competency.NEED: "Needs-based planning and family vision",
    Competency.SAFE: "Safety and crisis planning",
    Competency.NAT: "Natural and community supports",
    Competency.MON: "Progress monitoring and plan adjustment",
    Competency.TRAN: "Transition planning",
}

COMPETENCY_PHASES: Mapping[Competency, int] = {
    Competency.ENG: 1,
    Competency.STR: 1,
    Competency.FAC: 2,
    Competency.NEED: 2,
    Competency.SAFE: 2,
    Competency.NAT: 3,
    Competency.MON: 3,
    Competency.TRAN: 4,
}


class SessionComponent(StrEnum):
    """The structured parts of a skill-based coaching session."""

    OBSERVATION = "observation"
    MODELING = "modeling"
    PRACTICE = "practice"  # practice / role-play
    FEEDBACK = "feedback"
    REFLECTION = "reflection"


class Modality(StrEnum):
    """How a coaching session took place."""

    IN_PERSON = "in_person"
    VIRTUAL = "virtual"
    LIVE_COACHING = "live_coaching"  # coaching during a real child-and-family team meeting


class SkillLevel(Enum):
    """The developmental skill scale, ordered: not_yet < with_support < independent < can_teach.

    A plain ``Enum`` with explicit ordering, not a ``StrEnum``: a str subclass would
    compare alphabetically ("can_teach" < "independent"), silently breaking every
    "at or above target" check. Members serialise to their string value.
    """

    NOT_YET = "not_yet"
    WITH_SUPPORT = "with_support"
    INDEPENDENT = "independent"
    CAN_TEACH = "can_teach"

    @property
    def rank(self) -> int:
        """0 for not_yet … 3 for can_teach (declaration order is the scale order)."""
        return _LEVEL_ORDER.index(self)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, SkillLevel):
            return NotImplemented
        return self.rank < other.rank

    def __le__(self, other: object) -> bool:
        if not isinstance(other, SkillLevel):
            return NotImplemented
        return self.rank <= other.rank

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, SkillLevel):
            return NotImplemented
        return self.rank > other.rank

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, SkillLevel):
            return NotImplemented
        return self.rank >= other.rank


_LEVEL_ORDER: tuple[SkillLevel, ...] = tuple(SkillLevel)


class GoalStatus(StrEnum):
    """Where a coaching goal stands; only open goals move (to achieved or dropped)."""

    OPEN = "open"
    ACHIEVED = "achieved"
    DROPPED = "dropped"


class SourceKind(StrEnum):
    """What a skill rating rests on: a coaching session here, or a fidelity observation."""

    SESSION = "session"
    OBSERVATION = "observation"


_E = TypeVar("_E", bound=Enum)


def _parse(kind: type[_E], raw: object, *, field: str, what: str) -> _E:
    try:
        return kind(raw)
    except ValueError:
        accepted = ", ".join(str(member.value) for member in kind)
        raise InvalidFieldError(field, f"unknown {what} {raw!r}; use one of: {accepted}") from None


def parse_competency(raw: object, *, field: str = "competency") -> Competency:
    return _parse(Competency, raw, field=field, what="competency")


def parse_component(raw: object, *, field: str = "components") -> SessionComponent:
    return _parse(SessionComponent, raw, field=field, what="session component")


def parse_modality(raw: object, *, field: str = "modality") -> Modality:
    return _parse(Modality, raw, field=field, what="modality")


def parse_skill_level(raw: object, *, field: str = "level") -> SkillLevel:
    return _parse(SkillLevel, raw, field=field, what="skill level")


def parse_goal_status(raw: object, *, field: str = "status") -> GoalStatus:
    return _parse(GoalStatus, raw, field=field, what="goal status")


def parse_source_kind(raw: object, *, field: str = "source_kind") -> SourceKind:
    return _parse(SourceKind, raw, field=field, what="rating source kind")


def parse_members(
    raw: Sequence[str], kind: type[_E], *, field: str, what: str, required: bool
) -> tuple[_E, ...]:
    """Parse a list of values of one vocabulary into a de-duplicated, canonical tuple.

    Repeats are dropped and the order is the vocabulary's own, so two requests listing
    the same values in another order record the same thing. ``required`` refuses [].
    """
    values = ensure_list(raw, field=field)
    if required and not values:
        accepted = ", ".join(str(member.value) for member in kind)
        raise InvalidFieldError(field, f"{field} is empty; list at least one {what} of: {accepted}")
    parsed = {_parse(kind, value, field=field, what=what) for value in values}
    return tuple(member for member in kind if member in parsed)
