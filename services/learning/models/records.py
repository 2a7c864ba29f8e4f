"""What the learning service answers with: stored records, with OpenAPI examples.

Handlers return these, the REST API sends them, the xAPI LRS may reuse them.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from services.learning.domain.review import ReviewOutcome


class EnrollmentRecord(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "0b7d3c6e-8f0a-4f6e-9a51-2f1f4c1d9a10",
                    "practitioner_id": "p-1042",
                    "enrolled_on": "2025-09-01",
                    "catalog_version": "2026.1",
                    "recorded_at": "2025-09-01T10:02:11Z",
                }
            ]
        }
    )

    id: uuid.UUID
    practitioner_id: str
    enrolled_on: date
    catalog_version: str
    recorded_at: datetime


class AttemptRecord(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "5f0e1f8a-3c1b-4a6d-8d7e-4b3f2a1c9e77",
                    "practitioner_id": "p-1042",
                    "module_id": "M1",
                    "module_order": 1,
                    "assessment_id": "M1.A",
                    "scaled_score": 0.86,
                    "passed": True,
                    "mastered_module": True,
                    "previous_module_mastered": True,
                    "attempted_at": "2025-09-15T14:30:00Z",
                    "source_statement_id": None,
                    "recorded_at": "2025-09-15T14:31:02Z",
                }
            ]
        }
    )

    id: uuid.UUID
    practitioner_id: str
    module_id: str
    module_order: int
    assessment_id: str
    scaled_score: float
    passed: bool
    mastered_module: bool
    previous_module_mastered: bool | None = Field(
        description="as known when the attempt was recorded; the progress report decides "
        "it from the mastery dates known now"
    )
    attempted_at: datetime
    source_statement_id: str | None
    recorded_at: datetime


class ReviewRecord(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "9a2b7c1d-0e3f-4a5b-8c6d-7e8f9a0b1c2d",
                    "practitioner_id": "p-1042",
                    "concept_id": "M1.C3",
                    "module_id": "M1",
                    "rating": "good",
                    "scaled_score": None,
                    "reviewed_at": "2025-10-02T09:00:00Z",
                    "next_due_at": "2025-10-21T09:00:00Z",
                    "restored": False,
                    "source_statement_id": None,
                    "recorded_at": "2025-10-02T09:00:03Z",
                }
            ]
        }
    )

    id: uuid.UUID
    practitioner_id: str
    concept_id: str
    module_id: str
    rating: ReviewOutcome
    scaled_score: float | None
    reviewed_at: datetime
    # null when the concept's module was not known to be mastered by the review's date
    next_due_at: datetime | None
    restored: bool
    source_statement_id: str | None
    recorded_at: datetime


class TeamRecord(BaseModel):
    """A team of the roster on a date: a supervisor's (id = the supervisor) or a named one."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "sup-17",
                    "kind": "supervisor",
                    "member_ids": ["p-1042", "p-1043", "p-1050"],
                    "as_of": "2025-09-01",
                }
            ]
        }
    )

    id: str
    kind: Literal["supervisor", "named"]
    member_ids: list[str]
    as_of: date
