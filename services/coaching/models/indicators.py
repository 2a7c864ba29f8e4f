"""Response model of the learning-culture indicators (agency or one supervisor's team)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class MonthlyCoachingPublic(BaseModel):
    month: str = Field(description="YYYY-MM")
    practitioners_coached: int
    active_practitioners: int
    share: float | None = Field(description="coached ÷ active; null when nobody was active")


class PeerLearningPublic(BaseModel):
    window_start: date
    window_end: date
    sessions: int
    practitioners_attending: int
    active_practitioners: int
    share: float | None


class ReflectionActivityPublic(BaseModel):
    window_start: date
    window_end: date
    reflections: int
    practitioners_reflecting: int
    active_practitioners: int
    share: float | None


class CultureIndicatorsPublic(BaseModel):
    """Is coaching, peer learning and reflection alive? Computed on practice dates.

    - `monthly_coaching`: the 12 calendar months ending with `as_of`'s month, newest last;
      share of active practitioners with ≥ 1 coaching session in the month.
    - `median_days_between_sessions`: pooled gaps between each practitioner's distinct
      coaching days within those months.
    - `peer_learning`: the last 90 days; `reflection`: the last 30 days (both include
      `as_of`).
    """

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "scope": "team",
                    "supervisor_id": "sup-sam",
                    "as_of": "2025-06-30",
                    "monthly_coaching": [
                        {
                            "month": "2025-06",
                            "practitioners_coached": 3,
                            "active_practitioners": 4,
                            "share": 0.75,
                        }
                    ],
                    "median_days_between_sessions": 28.0,
                    "session_gaps_counted": 17,
                    "peer_learning": {
                        "window_start": "2025-04-02",
                        "window_end": "2025-06-30",
                        "sessions": 2,
                        "practitioners_attending": 3,
                        "active_practitioners": 4,
                        "share": 0.75,
                    },
                    "reflection": {
                        "window_start": "2025-06-01",
                        "window_end": "2025-06-30",
                        "reflections": 5,
                        "practitioners_reflecting": 2,
                        "active_practitioners": 4,
                        "share": 0.5,
                    },
                }
            ]
        }
    )

    scope: Literal["agency", "team"]
    supervisor_id: str | None = None
    as_of: date
    monthly_coaching: list[MonthlyCoachingPublic]
    median_days_between_sessions: float | None
    session_gaps_counted: int
    peer_learning: PeerLearningPublic
    reflection: ReflectionActivityPublic
