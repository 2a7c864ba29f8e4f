"""Request and response models of skill ratings and standing skill levels."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from services.coaching.domain.vocabulary import Competency, SkillLevel, SourceKind
from services.coaching.models.common import (
    ClientId,
    Identifier,
    LongText,
    PersonId,
    PracticeDate,
)

_RATING_EXAMPLE: JsonDict = {
    "id": "7f6e5d4c-3b2a-4190-8a7b-6c5d4e3f2a1b",
    "rater_id": "coach-ana",
    "practitioner_id": "prac-pat",
    "competency": "FAC",
    "level": "independent",
    "rated_on": "2025-03-12",
    "source_type": "session",
    "source_id": "1e2d3c4b-5a69-4788-9aab-bccddeeff001",
    "note": "Opened and closed the meeting without prompts",
}


class RatingCreate(BaseModel):
    """A competency placed on the scale not_yet → with_support → independent → can_teach.

    `rater_id` is the caller: leave it out (or send your own id); only an admin may name
    another rater. The rater must be the practitioner's coach on `rated_on` (or hold the
    supervisor role), and never the practitioner. `source_type` `session` names a
    coaching session of this practitioner held on or before `rated_on`; `observation`
    names a fidelity observation id.
    """

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_RATING_EXAMPLE]})

    id: ClientId
    rater_id: PersonId | None = None
    practitioner_id: PersonId
    competency: Competency
    level: SkillLevel
    rated_on: PracticeDate = Field(description="practice date of the rating; not in the future")
    source_type: SourceKind
    source_id: Identifier = Field(description="id of the session or observation it rests on")
    note: LongText = ""


class RatingPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                _RATING_EXAMPLE
                | {
                    "goals_achieved": ["c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f"],
                    "recorded_at": "2025-03-12T16:25:00Z",
                }
            ]
        }
    )

    id: uuid.UUID
    rater_id: str
    practitioner_id: str
    competency: Competency
    level: SkillLevel
    rated_on: date
    source_type: SourceKind
    source_id: str
    note: str
    goals_achieved: list[str] = Field(description="goals of the plan this rating achieved")
    recorded_at: datetime


class StandingLevel(BaseModel):
    competency: Competency
    level: SkillLevel
    rated_on: date
    rating_id: uuid.UUID


class SkillProfile(BaseModel):
    """Per rated competency, the rating that stands: the latest by practice date."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "practitioner_id": "prac-pat",
                    "as_of": "2025-03-31",
                    "levels": [
                        {
                            "competency": "FAC",
                            "level": "independent",
                            "rated_on": "2025-03-12",
                            "rating_id": _RATING_EXAMPLE["id"],
                        }
                    ],
                }
            ]
        }
    )

    practitioner_id: str
    as_of: date
    levels: list[StandingLevel]
