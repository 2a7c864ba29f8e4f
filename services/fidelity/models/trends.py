"""Response bodies of a practitioner's fidelity trend and drift signals."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from services.fidelity.domain.drift import DriftKind
from services.fidelity.domain.scoring import FidelityBand

_SIGNAL: dict[str, Any] = {
    "id": "3d6c1f0e-7a2b-5c4d-9e8f-0a1b2c3d4e5f",
    "practitioner_id": "prac-017",
    "instrument_key": "team-meeting-observation",
    "kind": "band_drop",
    "domain_id": None,
    "observation_id": "0b7f3d5e-8a51-4c1a-9d7e-2f4a6b8c9d01",
    "detected_on": "2025-03-12",
    "observation_ids": ["a1…", "b2…", "0b7f3d5e-8a51-4c1a-9d7e-2f4a6b8c9d01"],
    "from_band": "high",
    "to_band": "adequate",
    "drop": 10.0,
    "reason": "rolling total fell from high (90.0) to adequate (80.0)",
    "recorded_at": "2025-03-14T16:02:11Z",
}


class DriftSignalOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_SIGNAL]})

    id: uuid.UUID = Field(description="also the fidelity_drift_detected event id")
    practitioner_id: str
    instrument_key: str
    kind: DriftKind
    domain_id: str | None = Field(description="null: the total")
    observation_id: uuid.UUID = Field(description="the observation at which drift shows")
    detected_on: date
    observation_ids: list[str] = Field(description="the evidence, oldest first")
    from_band: FidelityBand | None
    to_band: FidelityBand | None
    drop: float = Field(description="points lost")
    reason: str
    recorded_at: datetime


class DomainTrendOut(BaseModel):
    domain_id: str
    score: float | None = Field(description="null when this meeting could not score the domain")
    rolling: float | None
    rolling_band: FidelityBand | None


class TrendPointOut(BaseModel):
    observation_id: str
    meeting_date: date
    total: float
    band: FidelityBand
    rolling_total: float
    rolling_band: FidelityBand
    window: list[str] = Field(description="the observations the rolling values average")
    domains: list[DomainTrendOut]


class FidelityTrendOut(BaseModel):
    """The series a coach charts: one point per counted observation, oldest first."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "practitioner_id": "prac-017",
                    "instrument_key": "team-meeting-observation",
                    "window": 3,
                    "counts": "first observations of a meeting by observers calibrated then",
                    "points": [
                        {
                            "observation_id": "0b7f3d5e-8a51-4c1a-9d7e-2f4a6b8c9d01",
                            "meeting_date": "2025-03-12",
                            "total": 80.0,
                            "band": "adequate",
                            "rolling_total": 80.0,
                            "rolling_band": "adequate",
                            "window": ["0b7f3d5e-8a51-4c1a-9d7e-2f4a6b8c9d01"],
                            "domains": [
                                {
                                    "domain_id": "TM.ENG",
                                    "score": 88.9,
                                    "rolling": 88.9,
                                    "rolling_band": "high",
                                }
                            ],
                        }
                    ],
                    "drift_signals": [_SIGNAL],
                }
            ]
        }
    )

    practitioner_id: str
    instrument_key: str
    window: int = Field(description="observations in each rolling mean")
    counts: str = Field(description="which observations the series is made of")
    points: list[TrendPointOut]
    drift_signals: list[DriftSignalOut]
