"""Response model of the operations routes."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class RebuildPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "events_replayed": 12000,
                    "practitioners_evaluated": 300,
                    "transitions_published": 0,
                    "seconds": 1.9,
                    "events_per_second": 6300.0,
                }
            ]
        }
    )

    events_replayed: int
    practitioners_evaluated: int
    transitions_published: int = Field(description="0 when the live projection was up to date")
    seconds: float
    events_per_second: float
