"""Composition root of the certification service: settings, routers, migrations, jobs → app."""

from __future__ import annotations

from fastapi import FastAPI

from services.certification.adapters.clock import CLOCK, Clock, SystemClock
from services.certification.adapters.metrics import CERTIFICATION_METRICS
from services.certification.adapters.schema import SCHEMA
from services.certification.config import CertificationSettings
from services.certification.domain.agencies import AGENCY_EVENTS
from services.certification.domain.events import INTERNAL_EVENTS
from services.certification.entrypoints import imports as bulk_import
from services.certification.entrypoints.api import OPENAPI_TAGS, routers
from services.certification.entrypoints.consumers import evidence_consumers
from services.certification.handlers.clock import clock_tick
from services.certification.handlers.credentials import CredentialSettings, enable_credentials
from services.certification.handlers.rebuild_evaluation import FOLDING, folding, stop_folding
from services.certification.permissions import PERMISSIONS
from shared.service import Runtime, ServiceDefinition, create_app

DESCRIPTION = (
    "Demonstrated-competence state per practitioner under a versioned policy, "
    "explained, with its transitions published to agency apps."
)


def build_definition(
    settings: CertificationSettings, clock: Clock | None = None
) -> ServiceDefinition:
    today = clock or SystemClock()

    async def on_startup(runtime: Runtime) -> None:
        CLOCK.put(runtime, today)
        FOLDING.put(runtime, folding(settings))
        if settings.credential_base_url is not None:
            secret = settings.credential_key_secret
            enable_credentials(
                runtime.store,
                CredentialSettings(
                    settings.credential_base_url,
                    secret.get_secret_value() if secret else None,
                ),
            )

    definition = ServiceDefinition(
        settings=settings,
        title="MiiWrap certification service",
        description=DESCRIPTION,
        routers=routers,
        permissions=PERMISSIONS,
        schema=SCHEMA,
        consumers=evidence_consumers,
        periodic_jobs=[(settings.clock_interval_seconds, clock_tick)],
        on_startup=on_startup,
        on_shutdown=stop_folding,
        openapi_tags=OPENAPI_TAGS,
        internal_events=INTERNAL_EVENTS | AGENCY_EVENTS,
        metrics=CERTIFICATION_METRICS,
    )
    return bulk_import.added_to(definition)


def create_service_app(
    settings: CertificationSettings | None = None, clock: Clock | None = None
) -> FastAPI:
    """The ASGI app; `uvicorn --factory services.certification.bootstrap:create_service_app`."""
    return create_app(build_definition(settings or CertificationSettings(), clock))
