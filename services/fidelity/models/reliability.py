"""Response bodies of the inter-rater reliability report."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

_SUMMARY: dict[str, Any] = {
    "meeting_count": 4,
    "rating_count": 212,
    "percent_agreement": 86.3,
    "kappa": 0.74,
    "mean_kappa": 0.73,
}


class ReliabilitySummary(BaseModel):
    """Agreement over co-observed meetings: pooled over all paired ratings, and the
    mean of the per-meeting kappas (studies report either)."""

    model_config = ConfigDict(json_schema_extra={"examples": [_SUMMARY]})

    meeting_count: int = Field(description="co-observed meetings (rater pairs) compared")
    rating_count: int = Field(description="paired indicator ratings over those meetings")
    percent_agreement: float = Field(description="pooled percent agreement")
    kappa: float = Field(description="pooled Cohen's kappa")
    mean_kappa: float = Field(description="unweighted mean of the per-meeting kappas")


class ComparisonOut(BaseModel):
    observation_id: uuid.UUID
    co_observation_of: uuid.UUID
    practitioner_id: str
    meeting_date: date
    instrument_key: str
    instrument_version: int
    first_observer_id: str
    second_observer_id: str
    indicator_count: int
    percent_agreement: float
    kappa: float


class ObserverPairSummary(BaseModel):
    observer_ids: list[str] = Field(description="the two observers, sorted")
    summary: ReliabilitySummary


class ObserverPairReliability(ObserverPairSummary):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "observer_ids": ["obs-004", "obs-011"],
                    "summary": _SUMMARY,
                    "comparisons": [
                        {
                            "observation_id": "1c9e0f7a-2b3c-4d5e-8f90-a1b2c3d4e5f6",
                            "co_observation_of": "0b7f3d5e-8a51-4c1a-9d7e-2f4a6b8c9d01",
                            "practitioner_id": "prac-017",
                            "meeting_date": "2025-03-12",
                            "instrument_key": "team-meeting-observation",
                            "instrument_version": 1,
                            "first_observer_id": "obs-004",
                            "second_observer_id": "obs-011",
                            "indicator_count": 53,
                            "percent_agreement": 88.7,
                            "kappa": 0.78,
                        }
                    ],
                }
            ]
        }
    )

    comparisons: list[ComparisonOut]


class AgencyReliability(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "agency": _SUMMARY,
                    "observer_pairs": [
                        {"observer_ids": ["obs-004", "obs-011"], "summary": _SUMMARY}
                    ],
                }
            ]
        }
    )

    agency: ReliabilitySummary | None = Field(description="null when nothing was co-observed")
    observer_pairs: list[ObserverPairSummary]
