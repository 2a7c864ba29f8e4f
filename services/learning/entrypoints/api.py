"""HTTP routers of the learning service; the xAPI LRS appends its router to `routers`."""

from __future__ import annotations

from fastapi import APIRouter

from services.learning.entrypoints import (
    attempts,
    catalog,
    enrollments,
    practitioners,
    reviews,
    teams,
)

routers: list[APIRouter] = [
    catalog.router,
    enrollments.router,
    attempts.router,
    reviews.router,
    practitioners.router,
    teams.router,
]

OPENAPI_TAGS = [
    {"name": "catalog", "description": "Competency framework, modules, concepts, assessments"},
    {"name": "enrollments", "description": "Practitioners in the program"},
    {"name": "attempts", "description": "Assessment attempts and module mastery"},
    {"name": "reviews", "description": "Spaced review (FSRS) of mastered concepts"},
    {"name": "practitioners", "description": "Progress, due reviews and visibility as of a date"},
    {"name": "teams", "description": "Groups of practitioners and where they are shaky"},
]
