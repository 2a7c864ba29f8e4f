"""The closed vocabularies certification evidence and policy speak.

The values are the ones the other services put on the wire (competency ids as in
DOMAIN.md, module ids ``M1``…``M6`` from the learning catalog, instrument kinds from
fidelity), so evidence translated from their events validates without mapping tables.
Certification keeps its own copy on purpose: services share events, not code.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Literal

from pydantic import Field

Competency = Literal["ENG", "STR", "FAC", "NEED", "SAFE", "NAT", "MON", "TRAN"]
CORE_COMPETENCIES: tuple[Competency, ...] = (
    "ENG",
    "STR",
    "FAC",
    "NEED",
    "SAFE",
    "NAT",
    "MON",
    "TRAN",
)

Percent = Annotated[float, Field(ge=0, le=100)]

Role = Literal["facilitator", "coach", "supervisor"]
# The roster details a change may move (supervisor and team are not certification's
# evidence, but a change of them is still named on the roster event).
RosterField = Literal["role", "coach_id", "supervisor_id", "team_id", "program_start"]
InstrumentKind = Literal["team_meeting", "coaching"]
CoachingComponent = Literal["observation", "modeling", "practice", "feedback", "reflection"]

INSTRUMENT_NAMES: dict[InstrumentKind, str] = {
    "team_meeting": "team meeting",
    "coaching": "coaching",
}


class SkillLevel(Enum):
    """The developmental scale: not_yet < with_support < independent < can_teach.

    A plain ``Enum`` compared by ``rank``, not a ``StrEnum``: string comparison would
    put "can_teach" below "independent". Members serialise to their string value.
    """

    NOT_YET = "not_yet"
    WITH_SUPPORT = "with_support"
    INDEPENDENT = "independent"
    CAN_TEACH = "can_teach"

    @property
    def rank(self) -> int:
        """0 for not_yet … 3 for can_teach (declaration order is the scale order)."""
        return _SKILL_RANKS[self._name_]


# By member name: a str key hashes in C, an Enum member through Enum.__hash__.
_SKILL_RANKS = {level.name: rank for rank, level in enumerate(SkillLevel)}
