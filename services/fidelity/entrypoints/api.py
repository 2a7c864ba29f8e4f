"""HTTP routers of the fidelity service, and the tags that organise /docs."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from services.fidelity.entrypoints import (
    calibration,
    instruments,
    observations,
    reliability,
    trends,
)

routers: list[APIRouter] = [
    instruments.router,
    observations.router,
    reliability.router,
    calibration.router,
    trends.router,
]

OPENAPI_TAGS: list[dict[str, Any]] = [
    {
        "name": "instruments",
        "description": "Observation instruments as versioned data: domains → items → "
        "indicators. Two seed instruments are global; an agency may publish its own versions.",
    },
    {
        "name": "observations",
        "description": "Observed meetings rated on an instrument version, scored on receipt.",
    },
    {
        "name": "reliability",
        "description": "Agreement between two observers of the same meeting (Cohen's kappa).",
    },
    {
        "name": "calibration",
        "description": "Observers rate reference meetings against a gold standard; a kappa at "
        "or above the bar calibrates them for 12 months.",
    },
    {
        "name": "drift",
        "description": "A practitioner's fidelity over time and the drift signals it raises.",
    },
]
