"""Commands: what a caller asks the learning service to do (REST bodies, xAPI mapping).

Each may carry the caller's own `id` (a UUID) so a retry is recognised: the same id with
the same content returns the stored record, the same id with other content is a 409.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from services.learning.domain.review import ReviewOutcome
from shared.identifiers import Identifier
from shared.practice_time import PracticeDate, PracticeMoment

PractitionerId = Annotated[
    Identifier,
    Field(description="the agency's own id for the practitioner (no spaces or '/')"),
]
ClientId = Annotated[
    uuid.UUID | None,
    Field(description="your own id for this record, so a retry is not recorded twice"),
]
# documented in the schema, enforced by the domain (its message explains scaled scores)
SCALED_SCORE_SCHEMA: JsonDict = {"minimum": 0.0, "maximum": 1.0}


class Command(BaseModel):
    # extra="forbid": a misspelt field is refused with its name instead of being ignored
    model_config = ConfigDict(frozen=True, extra="forbid")


class EnrollPractitioner(Command):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "0b7d3c6e-8f0a-4f6e-9a51-2f1f4c1d9a10",
                    "practitioner_id": "p-1042",
                    "enrolled_on": "2025-09-01",
                }
            ]
        }
    )

    id: ClientId = None
    practitioner_id: PractitionerId
    enrolled_on: PracticeDate = Field(description="the day the practitioner entered the program")
    catalog_version: str | None = Field(
        default=None, description="catalog to follow; the service's current one if absent"
    )


class RecordAttempt(Command):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "5f0e1f8a-3c1b-4a6d-8d7e-4b3f2a1c9e77",
                    "practitioner_id": "p-1042",
                    "module_id": "M1",
                    "scaled_score": 0.86,
                    "attempted_at": "2025-09-15T14:30:00Z",
                }
            ]
        }
    )

    id: ClientId = None
    practitioner_id: PractitionerId
    module_id: str = Field(description="catalog module id, M1 … M6", max_length=32)
    scaled_score: float = Field(
        description="scaled score 0..1 (xAPI result.score.scaled)",
        json_schema_extra=SCALED_SCORE_SCHEMA,
    )
    attempted_at: PracticeMoment = Field(description="when the attempt happened, with offset")


class RecordReview(Command):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "practitioner_id": "p-1042",
                    "concept_id": "M1.C3",
                    "rating": "good",
                    "reviewed_at": "2025-10-02T09:00:00Z",
                },
                {
                    "practitioner_id": "p-1042",
                    "concept_id": "M1.C3",
                    "scaled_score": 0.55,
                    "reviewed_at": "2025-10-02T09:00:00Z",
                },
            ]
        }
    )

    id: ClientId = None
    practitioner_id: PractitionerId
    concept_id: str = Field(description="catalog concept id, e.g. M1.C3", max_length=32)
    rating: ReviewOutcome | None = Field(default=None, description="the FSRS rating")
    scaled_score: float | None = Field(
        default=None,
        description="instead of a rating: <0.60 again, <0.75 hard, <0.90 good, else easy",
        json_schema_extra=SCALED_SCORE_SCHEMA,
    )
    reviewed_at: PracticeMoment = Field(description="when the review happened, with offset")
