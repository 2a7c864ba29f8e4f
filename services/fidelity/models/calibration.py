"""Request and response bodies of observer calibration."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from services.fidelity.models.fields import MAX_VERSION, ElementRef, PersonId, Title
from services.fidelity.models.observations import RatingBody
from shared.practice_time import PracticeDate

_EXAMPLE_RATINGS: list[Any] = [
    {"indicator_id": "TM.ENG.1.a", "rating": "present"},
    {"indicator_id": "TM.ENG.1.b", "rating": "absent"},
]


class ReferenceCreate(BaseModel):
    """A reference meeting (usually recorded) with the master raters' gold-standard ratings."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "5f0c2b8e-3c1d-4e55-8f7a-1b2c3d4e5f60",
                    "title": "Reference meeting A (recorded 2024-11)",
                    "instrument_key": "team-meeting-observation",
                    "instrument_version": 1,
                    "meeting_date": "2024-11-05",
                    "gold_ratings": _EXAMPLE_RATINGS,
                }
            ]
        }
    )

    id: uuid.UUID | None = Field(default=None, description="your id; a retry with it is safe")
    title: Title
    instrument_key: ElementRef
    instrument_version: int = Field(ge=1, le=MAX_VERSION)
    meeting_date: PracticeDate = Field(description="when the reference meeting happened")
    gold_ratings: list[RatingBody] = Field(min_length=1, max_length=2000)


class ReferencePublic(BaseModel):
    """A reference meeting; its gold standard is read separately (admins and auditors)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "5f0c2b8e-3c1d-4e55-8f7a-1b2c3d4e5f60",
                    "title": "Reference meeting A (recorded 2024-11)",
                    "instrument_key": "team-meeting-observation",
                    "instrument_version": 1,
                    "meeting_date": "2024-11-05",
                    "indicator_count": 53,
                    "created_at": "2024-11-20T10:00:00Z",
                    "created_by": "agency-a/admin-1",
                }
            ]
        }
    )

    id: uuid.UUID
    title: str
    instrument_key: str
    instrument_version: int
    meeting_date: date
    indicator_count: int
    created_at: datetime
    created_by: str


class GoldStandard(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "reference_id": "5f0c2b8e-3c1d-4e55-8f7a-1b2c3d4e5f60",
                    "gold_ratings": _EXAMPLE_RATINGS,
                }
            ]
        }
    )

    reference_id: uuid.UUID
    gold_ratings: list[RatingBody]


class AttemptCreate(BaseModel):
    """An observer's ratings of a reference meeting, compared with its gold standard."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
                    "reference_id": "5f0c2b8e-3c1d-4e55-8f7a-1b2c3d4e5f60",
                    "observer_id": "obs-004",
                    "attempted_on": "2025-01-10",
                    "ratings": _EXAMPLE_RATINGS,
                }
            ]
        }
    )

    id: uuid.UUID | None = Field(default=None, description="your id; a retry with it is safe")
    reference_id: uuid.UUID
    observer_id: PersonId | None = Field(default=None, description="defaults to the caller")
    attempted_on: PracticeDate = Field(description="when the observer rated the reference meeting")
    ratings: list[RatingBody] = Field(min_length=1, max_length=2000)


class AttemptPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
                    "observer_id": "obs-004",
                    "reference_id": "5f0c2b8e-3c1d-4e55-8f7a-1b2c3d4e5f60",
                    "attempted_on": "2025-01-10",
                    "kappa": 0.81,
                    "percent_agreement": 88.7,
                    "bar": 0.7,
                    "passed": True,
                    "expires_on": "2026-01-10",
                    "recorded_at": "2025-01-10T15:00:00Z",
                }
            ]
        }
    )

    id: uuid.UUID
    observer_id: str
    reference_id: uuid.UUID
    attempted_on: date
    kappa: float = Field(description="Cohen's kappa against the gold standard")
    percent_agreement: float
    bar: float = Field(description="the kappa needed to pass when the attempt was scored")
    passed: bool
    expires_on: date | None = Field(
        description="first day a pass no longer calibrates (12 months on); null if failed"
    )
    recorded_at: datetime


class InstrumentCalibrationOut(BaseModel):
    instrument_key: str = Field(description="the instrument family (all versions of one key)")
    calibrated: bool
    attempt_id: str | None = Field(
        description="the covering pass, or the attempt explaining why not"
    )
    expires_on: date | None = Field(description="first day the covering pass no longer counts")
    reason: str


class CalibrationStatusOut(BaseModel):
    """An observer's calibration on a date, per instrument: a pass on one instrument's
    reference calibrates that instrument (all its versions), not the others."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "observer_id": "obs-004",
                    "on_date": "2025-06-01",
                    "instruments": [
                        {
                            "instrument_key": "coaching-observation",
                            "calibrated": False,
                            "attempt_id": None,
                            "expires_on": None,
                            "reason": "no calibration attempt on coaching-observation on or "
                            "before 2025-06-01",
                        },
                        {
                            "instrument_key": "team-meeting-observation",
                            "calibrated": True,
                            "attempt_id": "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
                            "expires_on": "2026-01-10",
                            "reason": "passed calibration … valid until 2026-01-10",
                        },
                    ],
                }
            ]
        }
    )

    observer_id: str
    on_date: date
    instruments: list[InstrumentCalibrationOut] = Field(
        description="one entry per instrument the agency uses, by key"
    )
