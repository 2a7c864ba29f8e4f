"""`/xapi-credentials`: an agency admin issues, lists, rotates and revokes LMS credentials.

Bearer JWT with the admin role. The secret appears in the answer to an issue or a
rotation, once; only its scrypt hash is kept.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, ConfigDict, Field

from shared.auth import Principal, allow
from shared.problems import PROBLEM_RESPONSES, Conflict, NotFound, Unprocessable
from shared.service import RuntimeDep

from ..adapters import credential_store
from ..adapters.credential_store import StoredCredential
from ..credential_admin import (
    InvalidKey,
    IssuedCredential,
    KeyTaken,
    issue_credential,
    rotate_credential,
)
from ..credentials import KEY_RULE

router = APIRouter(
    prefix="/xapi-credentials", tags=["xAPI credentials"], responses=PROBLEM_RESPONSES
)

Manager = Annotated[Principal, allow("xapi.credentials.manage")]


class CredentialCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"partner_name": "Relias LMS"}]},
    )

    partner_name: str = Field(min_length=1, max_length=200, description="the LMS partner")
    key: str | None = Field(
        default=None, description=f"your own key ({KEY_RULE}); generated if absent"
    )


class CredentialPublic(BaseModel):
    key: str = Field(description="the HTTP Basic user name")
    agency_id: str
    partner_name: str
    authority: dict[str, Any] = Field(description="the Agent the LRS writes as `authority`")
    active: bool
    created_at: datetime
    rotated_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, credential: StoredCredential) -> CredentialPublic:
        return cls(
            key=credential.key,
            agency_id=credential.agency_id,
            partner_name=credential.partner_name,
            authority=credential.authority,
            active=credential.active,
            created_at=credential.created_at,
            rotated_at=credential.rotated_at,
            revoked_at=credential.revoked_at,
        )


class CredentialIssued(CredentialPublic):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "key": "relias-lms-3f9a1c2b",
                    "secret": "shown-once-4qX…",
                    "agency_id": "demo-agency",
                    "partner_name": "Relias LMS",
                    "authority": {
                        "objectType": "Agent",
                        "name": "Relias LMS",
                        "account": {
                            "homePage": "https://miiwrap.org/xapi-credentials",
                            "name": "relias-lms-3f9a1c2b",
                        },
                    },
                    "active": True,
                    "created_at": "2025-09-01T10:00:00Z",
                    "rotated_at": None,
                    "revoked_at": None,
                    "endpoint": "/xapi/",
                }
            ]
        }
    )

    secret: str = Field(description="the HTTP Basic password; shown only now")
    endpoint: str = "/xapi/"

    @classmethod
    def issued(cls, issued: IssuedCredential) -> CredentialIssued:
        public = CredentialPublic.of(issued.credential)
        return cls(**public.model_dump(), secret=issued.secret)


@router.post("", status_code=status.HTTP_201_CREATED, summary="Issue an LMS credential")
async def create_credential(
    body: CredentialCreate, principal: Manager, runtime: RuntimeDep
) -> CredentialIssued:
    try:
        async with runtime.store.transaction() as conn:
            issued = await issue_credential(
                conn, principal.agency_id, body.partner_name, key=body.key
            )
    except InvalidKey as error:
        raise Unprocessable(str(error)) from error
    except KeyTaken as error:
        raise Conflict(
            f"credential key {body.key!r} is taken; choose another or omit it"
        ) from error
    return CredentialIssued.issued(issued)


@router.get("", summary="List the agency's LMS credentials (never their secrets)")
async def list_credentials(principal: Manager, runtime: RuntimeDep) -> list[CredentialPublic]:
    async with runtime.pool.acquire() as conn:
        found = await credential_store.list_credentials(conn, principal.agency_id)
    return [CredentialPublic.of(c) for c in found]


@router.post("/{key}/rotate", summary="Give a credential a new secret (the old one stops working)")
async def rotate(key: str, principal: Manager, runtime: RuntimeDep) -> CredentialIssued:
    async with runtime.store.transaction() as conn:
        issued = await rotate_credential(conn, principal.agency_id, key)
    if issued is None:
        raise NotFound(f"your agency has no LMS credential {key!r}")
    return CredentialIssued.issued(issued)


@router.delete("/{key}", status_code=status.HTTP_204_NO_CONTENT, summary="Revoke a credential")
async def revoke(key: str, principal: Manager, runtime: RuntimeDep) -> Response:
    async with runtime.pool.acquire() as conn:
        found = await credential_store.revoke_credential(conn, principal.agency_id, key)
    if not found:
        raise NotFound(f"your agency has no LMS credential {key!r}")
    return Response(status_code=status.HTTP_204_NO_CONTENT)
