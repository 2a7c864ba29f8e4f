"""Request and response models of coaching sessions."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from services.coaching.domain.sessions import MAX_DURATION_MINUTES, MIN_DURATION_MINUTES
from services.coaching.domain.vocabulary import Competency, Modality, SessionComponent
from services.coaching.models.common import (
    ClientId,
    Identifier,
    LongText,
    PersonId,
    PracticeDate,
)

_SESSION_EXAMPLE: JsonDict = {
    "id": "1e2d3c4b-5a69-4788-9aab-bccddeeff001",
    "coach_id": "coach-ana",
    "practitioner_id": "prac-pat",
    "held_on": "2025-03-12",
    "duration_minutes": 60,
    "modality": "live_coaching",
    "components": ["observation", "practice", "feedback"],
    "competencies": ["FAC", "NEED"],
    "goal_ids": ["c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f"],
    "notes": "Rehearsed opening the meeting with the family's vision",
}


class SessionCreate(BaseModel):
    """A coaching session that took place; the coach must be assigned on `held_on`.

    `coach_id` is the caller: leave it out (or send your own id). Only an admin may
    name another coach, to log on their behalf.
    """

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_SESSION_EXAMPLE]})

    id: ClientId
    coach_id: PersonId | None = None
    practitioner_id: PersonId
    held_on: PracticeDate = Field(description="practice date of the session; not in the future")
    duration_minutes: int = Field(
        description=f"{MIN_DURATION_MINUTES} to {MAX_DURATION_MINUTES} minutes"
    )
    modality: Modality
    components: list[SessionComponent] = Field(
        description="the structured parts that took place; at least one", max_length=20
    )
    competencies: list[Competency] = Field(
        description="competencies worked on; at least one", max_length=20
    )
    goal_ids: list[Identifier] = Field(
        default_factory=list, description="goals of the practitioner's plan touched", max_length=50
    )
    notes: LongText = ""


class SessionPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [_SESSION_EXAMPLE | {"recorded_at": "2025-03-12T16:20:00Z"}]}
    )

    id: uuid.UUID
    coach_id: str
    practitioner_id: str
    held_on: date
    duration_minutes: int
    modality: Modality
    components: list[SessionComponent]
    competencies: list[Competency]
    goal_ids: list[str]
    notes: str
    recorded_at: datetime
