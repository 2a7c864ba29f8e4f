"""HTTP routers of the coaching service."""

from __future__ import annotations

from fastapi import APIRouter

from services.coaching.entrypoints import assignments, culture, plans, ratings, sessions, teams

routers: list[APIRouter] = [
    assignments.router,
    plans.router,
    sessions.router,
    ratings.router,
    culture.peer_router,
    culture.reflection_router,
    teams.team_router,
    teams.culture_router,
]
