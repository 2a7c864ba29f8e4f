"""Request and response models of peer learning, reflections, teams and the roster."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from services.coaching.domain.vocabulary import Competency
from services.coaching.models.common import (
    ClientId,
    LongText,
    PersonId,
    PracticeDate,
    ShortText,
)

_PEER_EXAMPLE: JsonDict = {
    "id": "2b3c4d5e-6f70-4182-93a4-b5c6d7e8f901",
    "facilitator_id": "prac-pat",
    "participant_ids": ["prac-quinn", "prac-rae"],
    "held_on": "2025-03-20",
    "competencies": ["NAT"],
    "shared": "How we found natural supports for a family new to the area",
}


class PeerSessionCreate(BaseModel):
    """A peer-learning / community-of-practice session; needs one participant besides
    the facilitator. A practitioner may record only sessions they facilitated."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_PEER_EXAMPLE]})

    id: ClientId
    facilitator_id: PersonId
    participant_ids: list[PersonId] = Field(max_length=200)
    held_on: PracticeDate = Field(description="practice date; not in the future")
    competencies: list[Competency] = Field(default_factory=list, max_length=20)
    shared: ShortText = Field(description="what was shared: the practice, case or skill")


class PeerSessionPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [_PEER_EXAMPLE | {"recorded_at": "2025-03-20T15:00:00Z"}]}
    )

    id: uuid.UUID
    facilitator_id: str
    participant_ids: list[str]
    held_on: date
    competencies: list[Competency]
    shared: str
    recorded_at: datetime


_REFLECTION_EXAMPLE: JsonDict = {
    "id": "3c4d5e6f-7081-4293-a4b5-c6d7e8f90a12",
    "practitioner_id": "prac-pat",
    "written_on": "2025-03-21",
    "competency": "FAC",
    "text": "I rushed the family vision; next time I will let the youth speak first.",
}


class ReflectionCreate(BaseModel):
    """A reflection entry, written by the practitioner themself (an admin may import one
    on their behalf). Its text is read only by its author, their coach and admins."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_REFLECTION_EXAMPLE]})

    id: ClientId
    practitioner_id: PersonId | None = None
    written_on: PracticeDate = Field(description="practice date; not in the future")
    competency: Competency | None = None
    text: LongText


class ReflectionPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                _REFLECTION_EXAMPLE | {"text_visible": True, "recorded_at": "2025-03-21T20:00:00Z"}
            ]
        }
    )

    id: uuid.UUID
    practitioner_id: str
    written_on: date
    competency: Competency | None
    text: str | None = Field(description="null when the caller may not read it")
    text_visible: bool
    recorded_at: datetime


class TeamPublic(BaseModel):
    """A team of the roster on a day: a supervisor's (id = the supervisor) or a named one."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "team_id": "sup-sam",
                    "kind": "supervisor",
                    "practitioner_ids": ["prac-pat", "prac-quinn"],
                    "as_of": "2025-01-06",
                }
            ]
        }
    )

    team_id: str
    kind: Literal["supervisor", "named"]
    practitioner_ids: list[str]
    as_of: date


class AwayPeriod(BaseModel):
    left_on: date
    returned_on: date | None = Field(description="null while still away")


class RosterMemberPublic(BaseModel):
    """A practitioner on the roster the culture views count, and when they were away."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "practitioner_id": "prac-pat",
                    "active_from": "2025-01-06",
                    "away": [{"left_on": "2025-06-01", "returned_on": "2025-08-01"}],
                }
            ]
        }
    )

    practitioner_id: str
    active_from: date = Field(description="the program start, as the roster has it now")
    away: list[AwayPeriod] = Field(
        description="periods off the roster: from left_on to the day before returned_on"
    )
