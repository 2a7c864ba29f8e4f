"""What the credential routes serve: a holder's credentials, and each agency's public
issuer documents (DID document, JWKS, signed status list) — plus key rotation."""

from __future__ import annotations

from typing import Any

import asyncpg

from services.certification.adapters import credential_keys, credential_rows, locks
from services.certification.adapters.credential_signing import sign_credential
from services.certification.domain.credential_urls import IssuerUrls
from services.certification.domain.status_list import status_list_credential
from services.certification.handlers.credentials import CredentialSettings, credential_settings
from shared.database import Connection
from shared.practice_time import now_utc
from shared.problems import NotFound
from shared.service import Runtime

DID_CONTEXT = ["https://www.w3.org/ns/did/v1", "https://www.w3.org/ns/cid/v1"]  # JsonWebKey


def enabled(runtime: Runtime) -> CredentialSettings:
    settings = credential_settings(runtime.store)
    if settings is None:
        raise NotFound(
            "portable credentials are not enabled on this service: its operator sets "
            "CERTIFICATION_PUBLIC_URL to issue them"
        )
    return settings


async def _keys(conn: Connection, urls: IssuerUrls) -> list[credential_keys.PublishedKey]:
    keys = await credential_keys.published_keys(conn, urls.agency_id)
    if not keys:
        raise NotFound(f"agency {urls.agency_id!r} has issued no credential yet")
    return keys


def _jwk(urls: IssuerUrls, key: credential_keys.PublishedKey) -> dict[str, Any]:
    return {**key.public_jwk, "kid": f"{urls.did}#{key.kid}", "alg": "EdDSA", "use": "sig"}


async def did_document(runtime: Runtime, agency_id: str) -> dict[str, Any]:
    urls = IssuerUrls(enabled(runtime).base_url, agency_id)
    async with runtime.pool.acquire() as conn:
        keys = await _keys(conn, urls)
    methods = [
        {
            "id": f"{urls.did}#{key.kid}",
            "type": "JsonWebKey",
            "controller": urls.did,
            "publicKeyJwk": key.public_jwk,
        }
        for key in keys
    ]
    ids = [method["id"] for method in methods]
    return {
        "@context": DID_CONTEXT,
        "id": urls.did,
        "verificationMethod": methods,
        "assertionMethod": ids,
        "authentication": ids,
    }


async def jwks(runtime: Runtime, agency_id: str) -> dict[str, Any]:
    urls = IssuerUrls(enabled(runtime).base_url, agency_id)
    async with runtime.pool.acquire() as conn:
        return {"keys": [_jwk(urls, key) for key in await _keys(conn, urls)]}


async def signed_status_list(runtime: Runtime, agency_id: str) -> str:
    """The agency's BitstringStatusListCredential, signed now with its active key."""
    settings = enabled(runtime)
    urls = IssuerUrls(settings.base_url, agency_id)
    async with runtime.pool.acquire() as conn:
        await _keys(conn, urls)
        key = await credential_keys.active_key(conn, agency_id, settings.key_secret)
        revoked = await credential_rows.revoked_indexes(conn, agency_id)
    credential = status_list_credential(urls.status_list, urls.did, revoked, now_utc())
    return sign_credential(credential, key, urls.did)


async def rotate_key(runtime: Runtime, agency_id: str) -> str:
    """A new active signing key for the agency; the verification method id."""
    settings = enabled(runtime)
    async with runtime.store.transaction() as conn:
        await locks.own_agency(conn, agency_id)  # no credential is signed meanwhile
        kid = await credential_keys.rotate(conn, agency_id, settings.key_secret)
    return f"{IssuerUrls(settings.base_url, agency_id).did}#{kid}"


async def holder_credentials(
    runtime: Runtime, agency_id: str, practitioner_id: str
) -> list[asyncpg.Record]:
    async with runtime.pool.acquire() as conn:
        return await credential_rows.credentials_of(conn, agency_id, practitioner_id)


async def holder_credential(
    runtime: Runtime, agency_id: str, practitioner_id: str, credential_id: str
) -> asyncpg.Record:
    async with runtime.pool.acquire() as conn:
        row = await credential_rows.credential(conn, credential_id)
    if row is None or (row["agency_id"], row["practitioner_id"]) != (agency_id, practitioner_id):
        raise NotFound(
            f"practitioner {practitioner_id!r} holds no credential {credential_id!r}; "
            f"GET /practitioners/{practitioner_id}/credentials lists theirs"
        )
    return row


async def public_credential(runtime: Runtime, credential_id: str) -> asyncpg.Record:
    enabled(runtime)
    async with runtime.pool.acquire() as conn:
        row = await credential_rows.credential(conn, credential_id)
    if row is None:
        raise NotFound(f"no credential {credential_id!r} was issued here")
    return row
