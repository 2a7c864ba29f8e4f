"""Composition root of the certification service: settings, routers, migrations, jobs → app."""

from __future__ import annotations

from fastapi import FastAPI

from services.certification.config import CertificationSettings
from services.certification.entrypoints.api import routers
from services.certification.permissions import PERMISSIONS
from shared.service import ServiceDefinition, create_app

DESCRIPTION = (
    "Demonstrated-competence state per practitioner under a versioned policy, "
    "explained, with its transitions published to agency apps."
)


def build_definition(settings: CertificationSettings) -> ServiceDefinition:
    return ServiceDefinition(
        settings=settings,
        title="MiiWrap certification service",
        description=DESCRIPTION,
        routers=routers,
        permissions=PERMISSIONS,
    )


def create_service_app(settings: CertificationSettings | None = None) -> FastAPI:
    """The ASGI app; `uvicorn --factory services.certification.bootstrap:create_service_app`."""
    return create_app(build_definition(settings or CertificationSettings()))
