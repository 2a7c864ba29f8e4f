"""Composition root of the fidelity service: settings, routers, migrations, seed → app."""

from __future__ import annotations

from fastapi import FastAPI

from services.fidelity.adapters.schema import SCHEMA
from services.fidelity.config import FidelitySettings
from services.fidelity.domain.errors import FidelityError
from services.fidelity.entrypoints import imports as bulk_import
from services.fidelity.entrypoints.api import OPENAPI_TAGS, routers
from services.fidelity.entrypoints.consumers import roster_consumers
from services.fidelity.entrypoints.problems import problem_for
from services.fidelity.handlers.instruments import seed_instruments
from services.fidelity.permissions import PERMISSIONS
from shared.service import ServiceDefinition, create_app

DESCRIPTION = (
    "Versioned observation instruments, scored observations, inter-rater reliability, "
    "observer calibration and drift."
)


def build_definition(settings: FidelitySettings) -> ServiceDefinition:
    definition = ServiceDefinition(
        settings=settings,
        title="MiiWrap fidelity service",
        description=DESCRIPTION,
        routers=routers,
        permissions=PERMISSIONS,
        schema=SCHEMA,
        consumers=roster_consumers,
        on_startup=seed_instruments,
        openapi_tags=OPENAPI_TAGS,
        domain_errors={FidelityError: problem_for},
    )
    return bulk_import.added_to(definition)


def create_service_app(settings: FidelitySettings | None = None) -> FastAPI:
    """The ASGI app; `uvicorn --factory services.fidelity.bootstrap:create_service_app`."""
    return create_app(build_definition(settings or FidelitySettings()))
