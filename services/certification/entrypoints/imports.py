"""What `POST /imports` takes in certification: the roster, through the routes' own code.

A registration line is the body of `POST /practitioners`, identified by its
`practitioner_id`. A change, leaving or return line is the body of
`POST /practitioners/{id}/changes`, `/leaving` or `/return` plus that `practitioner_id`,
identified by its `id` (`practitioner_kind`). Each is stored by calling its route, so a
line and a POST answer alike.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from fastapi import Response, status
from pydantic import BaseModel, create_model

from services.certification.entrypoints.dependencies import today
from services.certification.entrypoints.roster import register
from services.certification.entrypoints.roster_lifecycle import (
    change_details,
    record_leaving,
    record_return,
)
from services.certification.models.roster import PractitionerCreate
from services.certification.models.roster_lifecycle import (
    DetailsChangeCreate,
    LeavingCreate,
    ReturnCreate,
)
from shared.auth import Principal
from shared.identifiers import PersonId
from shared.import_routes import with_imports
from shared.imports import ImportKind, import_kinds
from shared.service import Runtime, ServiceDefinition

# a route under /practitioners/{practitioner_id}: its parameters by name
PractitionerRoute = Callable[..., Awaitable[Any]]


async def _created_by(route: PractitionerRoute, runtime: Runtime, **arguments: Any) -> bool:
    """Call a create route as FastAPI would; True when it answered 201 (a new record)."""
    response = Response(status_code=status.HTTP_201_CREATED)
    today_: date = today(runtime)
    await route(runtime=runtime, today=today_, response=response, **arguments)
    return response.status_code == status.HTTP_201_CREATED


async def store_registration(
    runtime: Runtime, principal: Principal, body: PractitionerCreate
) -> bool:
    return await _created_by(register, runtime, body=body, principal=principal)


def practitioner_kind(
    name: str, body_model: type[BaseModel], route: PractitionerRoute
) -> ImportKind[Any]:
    """A kind whose line is `body_model` plus the `practitioner_id` of the route's path."""
    line_model: type[BaseModel] = create_model(
        f"{body_model.__name__}Line", __base__=body_model, practitioner_id=(PersonId, ...)
    )

    async def store(runtime: Runtime, principal: Principal, line: BaseModel) -> bool:
        # only the fields the line gave: a field left out is "unchanged", not null
        fields = line.model_dump(exclude={"practitioner_id"}, exclude_unset=True)
        return await _created_by(
            route,
            runtime,
            practitioner_id=line.practitioner_id,  # type: ignore[attr-defined]
            body=body_model.model_validate(fields),
            principal=principal,
        )

    return ImportKind(name, line_model, store)


IMPORT_KINDS = import_kinds(
    ImportKind("registration", PractitionerCreate, store_registration, id_field="practitioner_id"),
    practitioner_kind("change", DetailsChangeCreate, change_details),
    practitioner_kind("leaving", LeavingCreate, record_leaving),
    practitioner_kind("return", ReturnCreate, record_return),
)


def added_to(definition: ServiceDefinition) -> ServiceDefinition:
    """The service with `POST /imports` of these kinds (routes, tables, worker)."""
    return with_imports(definition, IMPORT_KINDS)
