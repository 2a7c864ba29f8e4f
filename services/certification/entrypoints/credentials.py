"""Portable credential routes: a holder's downloads, the public verifier and issuer documents.

The holder's routes take a bearer token (``credentials.read``: the practitioner
themself or the agency's staff). Verification, a credential by its URL, and each
agency's DID document, JWKS and status list are public: an employer or a registry
checks a credential without an account.
"""

from __future__ import annotations

from typing import Annotated, Any

import asyncpg
from fastapi import APIRouter, Path, Response

from services.certification.adapters.badge_image import badge_png
from services.certification.adapters.credential_signing import unverified_parts
from services.certification.entrypoints.dependencies import Today
from services.certification.handlers import credential_documents as documents
from services.certification.handlers.credential_verification import compact_jws, verify
from services.certification.models.credentials import (
    CheckPublic,
    CredentialDownload,
    CredentialPublic,
    EnvelopedCredential,
    KeyRotated,
    VerificationPublic,
    VerificationRequest,
)
from services.certification.permissions import ensure_may_read
from shared.auth import Principal, allow
from shared.identifiers import PersonPath
from shared.problems import PROBLEM_RESPONSES
from shared.service import RuntimeDep

holder = APIRouter(
    prefix="/practitioners/{practitioner_id}/credentials",
    tags=["credentials"],
    responses=PROBLEM_RESPONSES,
)
public = APIRouter(tags=["credentials"], responses=PROBLEM_RESPONSES)
keys = APIRouter(prefix="/credential-keys", tags=["credentials"], responses=PROBLEM_RESPONSES)

# answered to anyone, without a token: what a verifier outside the agency needs
PUBLIC_PATHS = frozenset(
    {
        "/credentials/verify",
        "/credentials/{credential_id}",
        "/issuers/{agency_id}/did.json",
        "/issuers/{agency_id}/jwks.json",
        "/issuers/{agency_id}/status/1",
    }
)
AgencyPath = Annotated[str, Path(min_length=1, max_length=63, pattern=r"^[A-Za-z0-9._-]+$")]
CredentialPath = Annotated[str, Path(min_length=1, max_length=64)]
PNG: dict[int | str, dict[str, Any]] = {
    200: {"content": {"image/png": {}}, "description": "the badge, credential baked in"}
}
JWT: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/vc+jwt": {}}, "description": "a compact JWS"}
}


def credential_public(row: asyncpg.Record) -> CredentialPublic:
    return CredentialPublic(**{k: row[k] for k in CredentialPublic.model_fields})


def enveloped(row: asyncpg.Record) -> EnvelopedCredential:
    return EnvelopedCredential(id=f"data:application/vc+jwt,{row['jwt']}")


@holder.get("", summary="The practitioner's portable credentials (Open Badges 3.0)")
async def list_credentials(
    practitioner_id: PersonPath,
    principal: Annotated[Principal, allow("credentials.read")],
    runtime: RuntimeDep,
) -> list[CredentialPublic]:
    ensure_may_read(principal, practitioner_id)
    rows = await documents.holder_credentials(runtime, principal.agency_id, practitioner_id)
    return [credential_public(row) for row in rows]


@holder.get("/{credential_id}", summary="Download a credential as JSON (signed JWT inside)")
async def download_credential(
    practitioner_id: PersonPath,
    credential_id: CredentialPath,
    principal: Annotated[Principal, allow("credentials.read")],
    runtime: RuntimeDep,
) -> CredentialDownload:
    ensure_may_read(principal, practitioner_id)
    row = await documents.holder_credential(
        runtime, principal.agency_id, practitioner_id, credential_id
    )
    return CredentialDownload(
        **credential_public(row).model_dump(),
        jwt=row["jwt"],
        verifiable_credential=enveloped(row),
        credential=_signed_claims(row["jwt"]),
    )


@holder.get(
    "/{credential_id}/badge.png",
    summary="Download a credential as a PNG badge (QR code; credential baked in)",
    response_class=Response,
    responses=PNG,
)
async def download_badge(
    practitioner_id: PersonPath,
    credential_id: CredentialPath,
    principal: Annotated[Principal, allow("credentials.read")],
    runtime: RuntimeDep,
) -> Response:
    ensure_may_read(principal, practitioner_id)
    row = await documents.holder_credential(
        runtime, principal.agency_id, practitioner_id, credential_id
    )
    png = badge_png(row["credential_url"], row["jwt"], row["level_title"])
    disposition = f'attachment; filename="{row["level"]}-{credential_id}.png"'
    return Response(png, media_type="image/png", headers={"Content-Disposition": disposition})


@public.post(
    "/credentials/verify", summary="Verify a credential (public): signature, status, dates"
)
async def verify_credential(
    body: VerificationRequest, runtime: RuntimeDep, today: Today
) -> VerificationPublic:
    settings = documents.enabled(runtime)
    token = compact_jws(body.credential, body.image)
    async with runtime.pool.acquire() as conn:
        result = await verify(conn, settings.base_url, token, today)
    claims = result.claims
    issuer = claims.get("issuer")
    subject = claims.get("credentialSubject")
    achievement = subject.get("achievement") if isinstance(subject, dict) else None
    return VerificationPublic(
        verified=result.verified,
        checks=[CheckPublic.model_validate(vars(c)) for c in result.checks],
        issuer=str(issuer.get("name")) if isinstance(issuer, dict) else None,
        achievement=str(achievement.get("name")) if isinstance(achievement, dict) else None,
        valid_from=_text(claims.get("validFrom")),
        valid_until=_text(claims.get("validUntil")),
    )


@public.get("/credentials/{credential_id}", summary="A credential by its URL (public)")
async def read_public_credential(
    credential_id: CredentialPath, runtime: RuntimeDep
) -> EnvelopedCredential:
    return enveloped(await documents.public_credential(runtime, credential_id))


@public.get("/issuers/{agency_id}/did.json", summary="The agency's did:web DID document")
async def read_did_document(agency_id: AgencyPath, runtime: RuntimeDep) -> dict[str, Any]:
    return await documents.did_document(runtime, agency_id)


@public.get("/issuers/{agency_id}/jwks.json", summary="The agency's credential keys as a JWKS")
async def read_jwks(agency_id: AgencyPath, runtime: RuntimeDep) -> dict[str, Any]:
    return await documents.jwks(runtime, agency_id)


@public.get(
    "/issuers/{agency_id}/status/1",
    summary="The agency's Bitstring Status List credential (signed JWT)",
    response_class=Response,
    responses=JWT,
)
async def read_status_list(agency_id: AgencyPath, runtime: RuntimeDep) -> Response:
    token = await documents.signed_status_list(runtime, agency_id)
    return Response(token, media_type="application/vc+jwt")


@keys.post("/rotation", status_code=201, summary="Rotate the agency's credential signing key")
async def rotate_signing_key(
    principal: Annotated[Principal, allow("credentials.rotate_key")], runtime: RuntimeDep
) -> KeyRotated:
    method = await documents.rotate_key(runtime, principal.agency_id)
    return KeyRotated(verification_method=method)


def _signed_claims(token: str) -> dict[str, Any]:
    return unverified_parts(token)[1]  # our own, stored with its event


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None
