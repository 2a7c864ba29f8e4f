"""Composition root of the fidelity service: settings, routers, migrations, jobs → app."""

from __future__ import annotations

from fastapi import FastAPI

from services.fidelity.config import FidelitySettings
from services.fidelity.entrypoints.api import routers
from services.fidelity.permissions import PERMISSIONS
from shared.service import ServiceDefinition, create_app

DESCRIPTION = (
    "Versioned observation instruments, scored observations, inter-rater reliability, "
    "observer calibration and drift."
)


def build_definition(settings: FidelitySettings) -> ServiceDefinition:
    return ServiceDefinition(
        settings=settings,
        title="MiiWrap fidelity service",
        description=DESCRIPTION,
        routers=routers,
        permissions=PERMISSIONS,
    )


def create_service_app(settings: FidelitySettings | None = None) -> FastAPI:
    """The ASGI app; `uvicorn --factory services.fidelity.bootstrap:create_service_app`."""
    return create_app(build_definition(settings or FidelitySettings()))
