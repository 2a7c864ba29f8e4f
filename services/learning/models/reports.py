"""Read-side reports: progress, due reviews, visibility — computed "as of" a moment."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from services.learning.domain.review import ReviewOutcome, ReviewStatus
from services.learning.domain.visibility import ConceptStatus


class ModuleStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    MASTERED = "mastered"


class ModuleProgressView(BaseModel):
    module_id: str
    order: int
    title: str
    status: ModuleStatus
    attempts: int
    best_score: float | None
    last_attempt_at: datetime | None
    mastered_at: datetime | None
    mastering_attempt_id: str | None
    previous_module_mastered: bool | None = Field(
        description="the module before was mastered no later than this one, from the mastery "
        "dates known now (whatever order they were recorded in)"
    )


class ProgressReport(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "practitioner_id": "p-1042",
                    "enrolled_on": "2025-09-01",
                    "catalog_version": "2026.1",
                    "as_of": "2025-10-01T00:00:00Z",
                    "modules": [
                        {
                            "module_id": "M1",
                            "order": 1,
                            "title": "Wraparound principles and engagement",
                            "status": "mastered",
                            "attempts": 2,
                            "best_score": 0.86,
                            "last_attempt_at": "2025-09-15T14:30:00Z",
                            "mastered_at": "2025-09-15T14:30:00Z",
                            "mastering_attempt_id": "5f0e1f8a-3c1b-4a6d-8d7e-4b3f2a1c9e77",
                            "previous_module_mastered": True,
                        }
                    ],
                }
            ]
        }
    )

    practitioner_id: str
    enrolled_on: date
    catalog_version: str
    as_of: datetime
    modules: list[ModuleProgressView]


class DueReview(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "concept_id": "M1.C3",
                    "module_id": "M1",
                    "competency_id": "ENG",
                    "title": "Family voice and choice",
                    "status": "due",
                    "retrievability": 0.87,
                    "due_at": "2025-09-17T14:30:00Z",
                    "lapses_at": "2025-10-17T14:30:00Z",
                    "last_review_at": "2025-09-15T14:30:00Z",
                    "last_rating": "good",
                    "review_count": 0,
                }
            ]
        }
    )

    concept_id: str
    module_id: str
    competency_id: str
    title: str
    status: ReviewStatus
    retrievability: float
    due_at: datetime
    lapses_at: datetime
    last_review_at: datetime
    last_rating: ReviewOutcome
    review_count: int


class ConceptStatusView(BaseModel):
    concept_id: str
    module_id: str
    competency_id: str
    status: ConceptStatus
    reason: str
    retrievability: float | None
    due: datetime | None


class ModuleStatusView(BaseModel):
    module_id: str
    status: ConceptStatus
    mastered_at: datetime | None


class RiskView(BaseModel):
    practitioner_id: str
    lapsed: int
    shaky: int
    missing: int
    strong: int
    mean_retrievability: float | None


class PractitionerVisibilityReport(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "practitioner_id": "p-1042",
                    "as_of": "2025-10-01T00:00:00Z",
                    "concepts": [
                        {
                            "concept_id": "M1.C3",
                            "module_id": "M1",
                            "competency_id": "ENG",
                            "status": "shaky",
                            "reason": "due for review: recall 0.84",
                            "retrievability": 0.84,
                            "due": "2025-09-20T14:30:00Z",
                        }
                    ],
                    "modules": [{"module_id": "M1", "status": "shaky", "mastered_at": None}],
                    "risk": {
                        "practitioner_id": "p-1042",
                        "lapsed": 0,
                        "shaky": 1,
                        "missing": 20,
                        "strong": 3,
                        "mean_retrievability": 0.91,
                    },
                }
            ]
        }
    )

    practitioner_id: str
    as_of: datetime
    concepts: list[ConceptStatusView]  # most at risk first
    modules: list[ModuleStatusView]  # most at risk first
    risk: RiskView


class StatusCountsView(BaseModel):
    strong: int
    shaky: int
    missing: int
    lapsed: int


class TeamVisibilityReport(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "team_id": "sup-17",
                    "kind": "supervisor",
                    "as_of": "2025-10-01T00:00:00Z",
                    "ranking": [
                        {
                            "practitioner_id": "p-1043",
                            "lapsed": 2,
                            "shaky": 1,
                            "missing": 9,
                            "strong": 12,
                            "mean_retrievability": 0.71,
                        }
                    ],
                    "by_competency": {
                        "ENG": {"strong": 5, "shaky": 1, "missing": 2, "lapsed": 0},
                    },
                    "not_enrolled": ["p-1050"],
                }
            ]
        }
    )

    team_id: str
    kind: str  # a supervisor's team (id = the supervisor) or a named team of the roster
    as_of: datetime
    ranking: list[RiskView]  # the shakiest practitioner first
    by_competency: dict[str, StatusCountsView]  # catalog order
    not_enrolled: list[str]  # members with no learning record yet
