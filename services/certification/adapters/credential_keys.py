"""Each agency's Ed25519 signing keys: generated on first use, rotated by an admin.

The private key is stored as PKCS#8 PEM, encrypted with the configured secret
(``CERTIFICATION_CREDENTIAL_KEY_SECRET``) when there is one. Only the active key signs;
retired keys stay published (DID document, JWKS) so that credentials they signed still
verify. A unique index on the active key makes two first uses at once create one key.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwt.algorithms import OKPAlgorithm

from shared.database import Connection


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key: Ed25519PrivateKey


@dataclass(frozen=True)
class PublishedKey:
    kid: str
    public_jwk: dict[str, Any]
    active: bool


def private_key_pem(key: Ed25519PrivateKey, secret: str | None) -> str:
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(secret.encode())
        if secret
        else serialization.NoEncryption()
    )
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    ).decode()


def load_private_key(pem: str, encrypted: bool, secret: str | None) -> Ed25519PrivateKey:
    if encrypted and not secret:
        raise RuntimeError(
            "the agency's credential signing key is encrypted: set "
            "CERTIFICATION_CREDENTIAL_KEY_SECRET to the secret it was stored with"
        )
    password = secret.encode() if encrypted and secret else None
    key = serialization.load_pem_private_key(pem.encode(), password=password)
    if not isinstance(key, Ed25519PrivateKey):
        raise RuntimeError("a credential signing key is not an Ed25519 key")
    return key


def public_jwk(key: Ed25519PrivateKey) -> dict[str, Any]:
    jwk: dict[str, Any] = json.loads(OKPAlgorithm.to_jwk(key.public_key()))
    return {"kty": jwk["kty"], "crv": jwk["crv"], "x": jwk["x"]}


async def _create(conn: Connection, agency_id: str, secret: str | None) -> None:
    key = Ed25519PrivateKey.generate()
    await conn.execute(
        "INSERT INTO credential_keys (agency_id, kid, public_jwk, private_key_pem, encrypted)"
        " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        agency_id,
        f"key-{secrets.token_hex(6)}",
        public_jwk(key),
        private_key_pem(key, secret),
        bool(secret),
    )


async def active_key(conn: Connection, agency_id: str, secret: str | None) -> SigningKey:
    """The agency's signing key, created on first use."""
    query = (
        "SELECT kid, private_key_pem, encrypted FROM credential_keys"
        " WHERE agency_id = $1 AND retired_at IS NULL"
    )
    row = await conn.fetchrow(query, agency_id)
    if row is None:
        await _create(conn, agency_id, secret)
        row = await conn.fetchrow(query, agency_id)
        assert row is not None
    private_key = load_private_key(row["private_key_pem"], row["encrypted"], secret)
    return SigningKey(row["kid"], private_key)


async def rotate(conn: Connection, agency_id: str, secret: str | None) -> str:
    """Retire the active key (it stays published) and create a new one; its kid."""
    await conn.execute(
        "UPDATE credential_keys SET retired_at = now() WHERE agency_id = $1 AND retired_at IS NULL",
        agency_id,
    )
    await _create(conn, agency_id, secret)
    row = await conn.fetchrow(
        "SELECT kid FROM credential_keys WHERE agency_id = $1 AND retired_at IS NULL", agency_id
    )
    assert row is not None
    return str(row["kid"])


async def published_keys(conn: Connection, agency_id: str) -> list[PublishedKey]:
    """Every key of the agency, active first: what the DID document and JWKS publish."""
    rows = await conn.fetch(
        "SELECT kid, public_jwk, retired_at IS NULL AS active FROM credential_keys"
        " WHERE agency_id = $1 ORDER BY retired_at IS NOT NULL, created_at DESC",
        agency_id,
    )
    return [PublishedKey(row["kid"], dict(row["public_jwk"]), row["active"]) for row in rows]
