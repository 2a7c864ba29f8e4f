"""Composition root of the coaching service: settings, routers, migrations, jobs → app."""

from __future__ import annotations

from fastapi import FastAPI

from services.coaching.config import CoachingSettings
from services.coaching.entrypoints.api import routers
from services.coaching.permissions import PERMISSIONS
from shared.service import ServiceDefinition, create_app

DESCRIPTION = (
    "Coach assignments, coaching plans, structured coaching sessions, skill ratings, "
    "peer learning and reflection."
)


def build_definition(settings: CoachingSettings) -> ServiceDefinition:
    return ServiceDefinition(
        settings=settings,
        title="MiiWrap coaching service",
        description=DESCRIPTION,
        routers=routers,
        permissions=PERMISSIONS,
    )


def create_service_app(settings: CoachingSettings | None = None) -> FastAPI:
    """The ASGI app; `uvicorn --factory services.coaching.bootstrap:create_service_app`."""
    return create_app(build_definition(settings or CoachingSettings()))
