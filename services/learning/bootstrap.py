"""Composition root of the learning service: settings, routers, migrations, jobs → app."""

from __future__ import annotations

from fastapi import FastAPI

from services.learning.config import LearningSettings
from services.learning.entrypoints.api import routers
from services.learning.permissions import PERMISSIONS
from shared.service import ServiceDefinition, create_app

DESCRIPTION = (
    "Competency framework, modules, mastery assessments, spaced review (FSRS) and the "
    "xAPI learning record store."
)


def build_definition(settings: LearningSettings) -> ServiceDefinition:
    return ServiceDefinition(
        settings=settings,
        title="MiiWrap learning service",
        description=DESCRIPTION,
        routers=routers,
        permissions=PERMISSIONS,
    )


def create_service_app(settings: LearningSettings | None = None) -> FastAPI:
    """The ASGI app; `uvicorn --factory services.learning.bootstrap:create_service_app`."""
    return create_app(build_definition(settings or LearningSettings()))
