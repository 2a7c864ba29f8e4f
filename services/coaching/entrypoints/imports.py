"""What `POST /imports` takes in coaching: each kind stored by the handler its POST uses."""

from __future__ import annotations

from services.coaching.handlers import assignments, plans, ratings, sessions
from services.coaching.models.assignments import AssignmentCreate
from services.coaching.models.plans import PlanCreate
from services.coaching.models.ratings import RatingCreate
from services.coaching.models.sessions import SessionCreate
from shared.auth import Principal
from shared.import_routes import with_imports
from shared.imports import ImportKind, import_kinds
from shared.service import Runtime, ServiceDefinition


async def store_assignment(runtime: Runtime, principal: Principal, body: AssignmentCreate) -> bool:
    return (await assignments.assign(runtime, principal, body)).created


async def store_session(runtime: Runtime, principal: Principal, body: SessionCreate) -> bool:
    return (await sessions.log(runtime, principal, body)).created


async def store_rating(runtime: Runtime, principal: Principal, body: RatingCreate) -> bool:
    return (await ratings.rate(runtime, principal, body)).created


async def store_plan(runtime: Runtime, principal: Principal, body: PlanCreate) -> bool:
    return (await plans.create_plan(runtime, principal, body)).created


IMPORT_KINDS = import_kinds(
    ImportKind("assignment", AssignmentCreate, store_assignment),
    ImportKind("plan", PlanCreate, store_plan),
    ImportKind("session", SessionCreate, store_session),
    ImportKind("rating", RatingCreate, store_rating),
)


def added_to(definition: ServiceDefinition) -> ServiceDefinition:
    """The service with `POST /imports` of these kinds (routes, tables, worker)."""
    return with_imports(definition, IMPORT_KINDS)
