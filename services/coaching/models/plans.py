"""Request and response models of coaching plans and their goals."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from services.coaching.domain.vocabulary import Competency, GoalStatus, SkillLevel
from services.coaching.models.common import ClientId, PersonId, PracticeDate, ShortText

_PLAN_ID = "9a4c2e1d-6b8f-4c3a-9e7d-1f2a3b4c5d6e"
_GOAL_ID = "c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f"
_GOAL_EXAMPLE: JsonDict = {
    "id": _GOAL_ID,
    "competency": "FAC",
    "target_level": "independent",
    "description": "Facilitate a team meeting without prompts from the coach",
}


class GoalCreate(BaseModel):
    """A goal: reach `target_level` (not `not_yet`) in one competency."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_GOAL_EXAMPLE]})

    id: ClientId
    competency: Competency
    target_level: SkillLevel
    description: ShortText


class PlanCreate(BaseModel):
    """A practitioner's coaching plan; one per practitioner (add goals to it later)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"id": _PLAN_ID, "practitioner_id": "prac-pat", "goals": [_GOAL_EXAMPLE]}]
        },
    )

    id: ClientId
    practitioner_id: PersonId
    goals: list[GoalCreate] = Field(default_factory=list, max_length=50)


class GoalStatusChange(BaseModel):
    """Close an open goal by hand: `achieved` (the coach's judgement) or `dropped`."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"status": "dropped", "on_date": "2025-05-02"}]},
    )

    status: GoalStatus
    on_date: PracticeDate = Field(description="practice date the goal closed; not in the future")


class GoalPublic(BaseModel):
    id: str
    competency: Competency
    target_level: SkillLevel
    description: str
    status: GoalStatus
    closed_on: date | None
    achieved_by_rating_id: str | None = Field(
        description="the rating that achieved it; null while open or when closed by hand"
    )


class PlanPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": _PLAN_ID,
                    "practitioner_id": "prac-pat",
                    "goals": [
                        _GOAL_EXAMPLE
                        | {"status": "open", "closed_on": None, "achieved_by_rating_id": None}
                    ],
                    "updated_at": "2025-02-03T10:00:00Z",
                }
            ]
        }
    )

    id: uuid.UUID
    practitioner_id: str
    goals: list[GoalPublic]
    updated_at: datetime
