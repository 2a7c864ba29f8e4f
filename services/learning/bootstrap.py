"""Composition root of the learning service: settings, routers, migrations, jobs → app."""

from __future__ import annotations

from fastapi import FastAPI

from services.learning.adapters.catalog_store import load_catalogs, seed_catalogs
from services.learning.adapters.schema import SCHEMA
from services.learning.config import LearningSettings
from services.learning.domain.errors import LearningDomainError
from services.learning.entrypoints import imports as bulk_import
from services.learning.entrypoints.api import OPENAPI_TAGS, routers
from services.learning.entrypoints.consumers import roster_consumers
from services.learning.entrypoints.problems import problem_for
from services.learning.handlers import lapse_check_job
from services.learning.handlers.context import LEARNING, LearningContext, visibility_policy
from services.learning.permissions import PERMISSIONS
from services.learning.xapi.wiring import (
    XAPI_OPENAPI_TAGS,
    XAPI_PERMISSIONS,
    XAPI_RAW_BODY_PREFIXES,
    XAPI_ROUTERS,
    start_xapi,
)
from shared.service import PeriodicJob, Runtime, ServiceDefinition, create_app

DESCRIPTION = (
    "Competency framework, modules, mastery assessments, spaced review (FSRS) and the "
    "xAPI learning record store."
)


def build_definition(settings: LearningSettings) -> ServiceDefinition:
    async def start_learning(runtime: Runtime) -> None:
        await seed_catalogs(runtime.pool)
        LEARNING.put(
            runtime,
            LearningContext(
                store=runtime.store,
                catalogs=await load_catalogs(runtime.pool, settings.catalog_version),
                visibility=visibility_policy(settings),
            ),
        )
        await start_xapi(runtime)

    jobs: list[tuple[float, PeriodicJob]] = []
    if settings.lapse_check_interval_seconds > 0:
        jobs.append((settings.lapse_check_interval_seconds, lapse_check_job))
    definition = ServiceDefinition(
        settings=settings,
        title="MiiWrap learning service",
        description=DESCRIPTION,
        routers=[*routers, *XAPI_ROUTERS],
        permissions={**PERMISSIONS, **XAPI_PERMISSIONS},
        schema=SCHEMA,
        consumers=roster_consumers,
        periodic_jobs=jobs,
        on_startup=start_learning,
        openapi_tags=[*OPENAPI_TAGS, *XAPI_OPENAPI_TAGS],
        raw_body_prefixes=XAPI_RAW_BODY_PREFIXES,
        domain_errors={LearningDomainError: problem_for},
    )
    return bulk_import.added_to(definition)


def create_service_app(settings: LearningSettings | None = None) -> FastAPI:
    """The ASGI app; `uvicorn --factory services.learning.bootstrap:create_service_app`."""
    return create_app(build_definition(settings or LearningSettings()))
