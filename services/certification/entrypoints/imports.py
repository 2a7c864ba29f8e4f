"""What `POST /imports` takes in certification: the roster, through the routes' own code.

A registration line is the body of `POST /practitioners`, identified by its
`practitioner_id`. The roster's other lifecycle records (changes, leaving, return) are
each one more `ImportKind` here, calling the handler their route calls.
"""

from __future__ import annotations

from fastapi import Response, status

from services.certification.entrypoints.dependencies import today
from services.certification.entrypoints.roster import register
from services.certification.models.roster import PractitionerCreate
from shared.auth import Principal
from shared.imports import ImportKind, import_kinds
from shared.service import Runtime


async def store_registration(
    runtime: Runtime, principal: Principal, body: PractitionerCreate
) -> bool:
    response = Response(status_code=status.HTTP_201_CREATED)
    await register(
        body=body, principal=principal, runtime=runtime, today=today(runtime), response=response
    )
    return response.status_code == status.HTTP_201_CREATED


IMPORT_KINDS = import_kinds(
    ImportKind("registration", PractitionerCreate, store_registration, id_field="practitioner_id"),
)
