"""Request and response models of coach assignments."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict

from services.coaching.models.common import ClientId, PersonId, PracticeDate

_ASSIGNMENT_ID = "0b7e0a7c-3f55-4d0c-9f0e-6f1c2b9d4a11"


class AssignmentCreate(BaseModel):
    """Coach `coach_id` coaches `practitioner_id` from `valid_from` (to `valid_to`, included).

    Periods of one practitioner never overlap: to change coach, end the current
    assignment first or use `POST /assignments/hand-over`.
    """

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "id": _ASSIGNMENT_ID,
                    "coach_id": "coach-ana",
                    "practitioner_id": "prac-pat",
                    "valid_from": "2025-01-06",
                    "valid_to": None,
                }
            ]
        },
    )

    id: ClientId
    coach_id: PersonId
    practitioner_id: PersonId
    valid_from: PracticeDate
    valid_to: PracticeDate | None = None


class AssignmentEnd(BaseModel):
    """End a running assignment: `valid_to` is the coach's last day."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"valid_to": "2025-06-30"}]}
    )

    valid_to: PracticeDate


class HandOverCreate(BaseModel):
    """Move a practitioner to `new_coach_id` from `starts_on`; the coach then current ends
    the day before. Both changes are stored together."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "id": "5d1f7a52-8b0b-4f7e-8a53-2c3b8c0e9f20",
                    "practitioner_id": "prac-pat",
                    "new_coach_id": "coach-ben",
                    "starts_on": "2025-07-01",
                }
            ]
        },
    )

    id: ClientId
    practitioner_id: PersonId
    new_coach_id: PersonId
    starts_on: PracticeDate


class AssignmentPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": _ASSIGNMENT_ID,
                    "coach_id": "coach-ana",
                    "practitioner_id": "prac-pat",
                    "valid_from": "2025-01-06",
                    "valid_to": None,
                    "recorded_at": "2025-01-06T09:12:00Z",
                }
            ]
        }
    )

    id: uuid.UUID
    coach_id: str
    practitioner_id: str
    valid_from: date
    valid_to: date | None
    recorded_at: datetime


class HandOverPublic(BaseModel):
    ended: AssignmentPublic
    assigned: AssignmentPublic
