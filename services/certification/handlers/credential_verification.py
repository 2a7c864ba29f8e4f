"""Verifying a credential this service issued: issuer, signature, status, validity dates.

Anyone may ask (no account): an employer, a registry, the portal's public page. Each
check answers passed or not with a sentence saying why, and ``verified`` is true only
when all pass. The signature is checked against the issuing agency's published key
(rotated keys stay published); the status against the agency's status list; the
dates against the service's today.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from services.certification.adapters import credential_keys, credential_rows
from services.certification.adapters.badge_image import baked_credential
from services.certification.adapters.credential_signing import unverified_parts, verify_signature
from services.certification.domain.credential_urls import IssuerUrls
from services.certification.domain.status_list import LIST_BITS
from shared.database import Connection
from shared.problems import Unprocessable

ENVELOPE_PREFIX = "data:application/vc+jwt,"


@dataclass(frozen=True)
class Check:
    check: str
    passed: bool
    detail: str


@dataclass
class Verification:
    checks: list[Check] = field(default_factory=list)
    claims: dict[str, Any] = field(default_factory=dict)

    @property
    def verified(self) -> bool:
        return bool(self.checks) and all(c.passed for c in self.checks)

    def add(self, check: str, passed: bool, detail: str) -> bool:
        self.checks.append(Check(check, passed, detail))
        return passed


def compact_jws(credential: str | dict[str, Any] | None, image: str | None) -> str:
    """The JWT inside what a verifier pasted or uploaded (422 naming what to send instead)."""
    if image is not None:
        try:
            png = base64.b64decode(image, validate=True)
        except (binascii.Error, ValueError):
            raise Unprocessable("image must be a base64-encoded PNG badge") from None
        baked = baked_credential(png)
        if baked is None:
            raise Unprocessable(
                "the image carries no baked credential (no iTXt chunk 'openbadgecredential')"
            )
        credential = baked
    if isinstance(credential, dict):
        wrapped = credential.get("verifiable_credential", credential)
        token = wrapped.get("id") if isinstance(wrapped, dict) else None
        token = credential.get("jwt", token) if isinstance(credential.get("jwt"), str) else token
        if not isinstance(token, str):
            raise Unprocessable(
                "send the credential as its compact JWT, or as the JSON this service gave "
                "(an EnvelopedVerifiableCredential whose id is data:application/vc+jwt,…)"
            )
        credential = token
    if not isinstance(credential, str) or not credential.strip():
        raise Unprocessable("send a credential (its JWT or JSON) or a badge image")
    return credential.strip().removeprefix(ENVELOPE_PREFIX)


def _day(value: Any) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        return None


async def verify(conn: Connection, base_url: str, token: str, today: date) -> Verification:
    result = Verification()
    try:
        header, claims = unverified_parts(token)
    except ValueError as error:
        raise Unprocessable(f"not a credential this service can read: {error}") from None
    result.claims = claims
    issuer = claims.get("issuer")
    issuer_did = issuer.get("id") if isinstance(issuer, dict) else issuer
    agency_id = str(issuer_did).rsplit(":", 1)[-1] if isinstance(issuer_did, str) else ""
    urls = IssuerUrls(base_url, agency_id)
    kid = str(header.get("kid", ""))
    if not result.add(
        "issuer",
        issuer_did == urls.did and kid.startswith(f"{urls.did}#"),
        f"issued by {issuer_did}"
        if issuer_did == urls.did
        else f"issued by {issuer_did!r}, not an issuer this service hosts",
    ):
        return result
    keys = {k.kid: k for k in await credential_keys.published_keys(conn, agency_id)}
    key = keys.get(kid.removeprefix(f"{urls.did}#"))
    signed = key is not None and verify_signature(token, key.public_jwk)
    result.add(
        "signature",
        signed,
        "signed by the issuer's key " + kid
        if signed
        else "the signature does not match the credential: it was altered, or signed by "
        "a key the issuer never published",
    )
    status = claims.get("credentialStatus")
    listed = isinstance(status, dict) and status.get("statusListCredential") == urls.status_list
    index = _index(status) if listed else None
    if index is None:
        result.add("status", False, "the credential names no status list entry of its issuer")
    else:
        revoked = await credential_rows.is_revoked(conn, agency_id, index)
        result.add(
            "status",
            revoked is False,
            "not revoked on the issuer's status list"
            if revoked is False
            else "revoked by the issuer (the certification lapsed or was revoked)"
            if revoked
            else "the issuer's status list holds no such credential",
        )
    _check_dates(result, claims, today)
    return result


def _index(status: Any) -> int | None:
    try:
        index = int(status["statusListIndex"])
    except (KeyError, TypeError, ValueError):
        return None
    return index if 0 <= index < LIST_BITS else None


def _check_dates(result: Verification, claims: dict[str, Any], today: date) -> None:
    valid_from, valid_until = _day(claims.get("validFrom")), _day(claims.get("validUntil"))
    if valid_from is None:
        result.add("validity", False, "the credential has no readable validFrom")
    elif valid_from > today:
        result.add("validity", False, f"not valid before {valid_from}")
    elif valid_until is not None and valid_until <= today:
        result.add("validity", False, f"expired: valid until {valid_until}")
    else:
        until = f" until {valid_until}" if valid_until else ""
        result.add("validity", True, f"valid from {valid_from}{until}")
