"""The import line of a historical observation transcribed from a paper form."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, ConfigDict, Field

from services.fidelity.models.fields import MAX_VERSION, ElementRef, PersonId, Setting
from shared.practice_time import PracticeDate


class DomainScoreBody(BaseModel):
    domain_id: ElementRef
    score: float = Field(ge=0, le=100, allow_inf_nan=False, description="the domain's %")


class PaperObservationCreate(BaseModel):
    """Domain scores and the total as the paper form has them; no indicator ratings.

    Stored as an observation marked `imported` with `source: paper`, so certification's
    policy can decide whether such history counts.
    """

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "id": "5d0c3b7a-2f4e-4a8b-9c1d-3e5f7a9b0c12",
                    "instrument_key": "team-meeting-observation",
                    "instrument_version": 1,
                    "practitioner_id": "prac-017",
                    "observer_id": "obs-004",
                    "meeting_date": "2024-06-03",
                    "setting": "family home",
                    "domain_scores": [{"domain_id": "TM.ENG", "score": 87.5}],
                    "total": 81.0,
                }
            ]
        },
    )

    id: uuid.UUID = Field(description="your stable id for this record")
    instrument_key: ElementRef
    instrument_version: int = Field(ge=1, le=MAX_VERSION)
    practitioner_id: PersonId = Field(description="the practitioner observed")
    observer_id: PersonId | None = Field(default=None, description="defaults to the caller")
    meeting_date: PracticeDate = Field(description="when the meeting happened; never in the future")
    setting: Setting = Field(description="where or how it was held")
    domain_scores: list[DomainScoreBody] = Field(min_length=1, max_length=200)
    total: float = Field(ge=0, le=100, allow_inf_nan=False, description="the total %")
