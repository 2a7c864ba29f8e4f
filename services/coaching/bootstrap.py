"""Composition root of the coaching service: settings, routers, migrations, jobs → app."""

from __future__ import annotations

from fastapi import FastAPI

from services.coaching.adapters.schema import SCHEMA
from services.coaching.config import CoachingSettings
from services.coaching.domain.errors import CoachingError
from services.coaching.domain.events import TeamSet
from services.coaching.entrypoints import imports as bulk_import
from services.coaching.entrypoints.api import routers
from services.coaching.entrypoints.consumers import roster_consumers
from services.coaching.entrypoints.problems import problem_for
from services.coaching.permissions import PERMISSIONS
from shared.service import ServiceDefinition, create_app

DESCRIPTION = (
    "Coach assignments, coaching plans, structured coaching sessions, skill ratings, "
    "peer learning and reflection, and the agency's learning-culture indicators.\n\n"
    "Writes are done as the caller: the coach of a session and the rater of a rating are "
    "the token's subject unless an admin names someone to record on their behalf. "
    "Every create accepts a client-chosen `id` (UUID) so retries are safe."
)


def build_definition(settings: CoachingSettings) -> ServiceDefinition:
    definition = ServiceDefinition(
        settings=settings,
        title="MiiWrap coaching service",
        description=DESCRIPTION,
        routers=routers,
        permissions=PERMISSIONS,
        schema=SCHEMA,
        # team_set is no longer written (teams are the roster's); old logs never publish it
        internal_events=frozenset({TeamSet.name}),
        domain_errors={CoachingError: problem_for},
        consumers=roster_consumers,
    )
    return bulk_import.added_to(definition)


def create_service_app(settings: CoachingSettings | None = None) -> FastAPI:
    """The ASGI app; `uvicorn --factory services.coaching.bootstrap:create_service_app`."""
    return create_app(build_definition(settings or CoachingSettings()))
