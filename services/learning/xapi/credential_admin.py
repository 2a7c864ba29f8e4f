"""Issuing, rotating and revoking LMS credentials: shared by the admin API, the CLI and
the demo seed. A secret is returned once, at issue or rotation, and never stored.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from shared.database import Connection
from shared.idempotency_keys import mark_applied, withhold_answer

from .adapters import credential_store
from .adapters.credential_store import StoredCredential
from .credentials import KEY_PATTERN, KEY_RULE, hash_secret, new_key, new_secret, secret_matches


class KeyTaken(Exception):
    """The requested key belongs to a credential already (of this or another agency)."""


class InvalidKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(f"credential key {key!r} is not valid: {KEY_RULE}")


@dataclass(frozen=True)
class IssuedCredential:
    credential: StoredCredential
    secret: str


async def issue_credential(
    conn: Connection,
    agency_id: str,
    partner_name: str,
    *,
    key: str | None = None,
    secret: str | None = None,
) -> IssuedCredential:
    """A new credential for the agency (a generated key unless one is asked for)."""
    if key is not None and not KEY_PATTERN.match(key):
        raise InvalidKey(key)
    chosen_secret = secret or new_secret()
    hashed = await asyncio.to_thread(hash_secret, chosen_secret)
    for _ in range(5):
        candidate = key or new_key(partner_name)
        stored = await credential_store.insert_credential(
            conn, agency_id, candidate, partner_name, hashed
        )
        if stored is not None:
            await mark_applied(conn)
            withhold_answer("issued the credential (GET /xapi-credentials lists it)")
            return IssuedCredential(stored, chosen_secret)
        if key is not None:
            raise KeyTaken(key)
    raise KeyTaken("generated keys kept colliding; try again")


async def rotate_credential(
    conn: Connection, agency_id: str, key: str, *, secret: str | None = None
) -> IssuedCredential | None:
    """A new secret for the agency's credential (the old one stops working); None if unknown."""
    chosen_secret = secret or new_secret()
    hashed = await asyncio.to_thread(hash_secret, chosen_secret)
    stored = await credential_store.replace_secret(conn, agency_id, key, hashed)
    if stored is None:
        return None
    await mark_applied(conn)
    withhold_answer(f"rotated the secret of {key!r} (rotate again for a new one)")
    return IssuedCredential(stored, chosen_secret)


async def ensure_credential(
    conn: Connection, agency_id: str, key: str, partner_name: str, secret: str
) -> StoredCredential:
    """Make `key`/`secret` a working credential of the agency (idempotent; for seeding)."""
    existing = await credential_store.find_credential(conn, key)
    if existing is None:
        return (
            await issue_credential(conn, agency_id, partner_name, key=key, secret=secret)
        ).credential
    if existing.agency_id != agency_id:
        raise KeyTaken(key)
    if existing.active and await asyncio.to_thread(secret_matches, secret, existing.secret):
        return existing
    rotated = await rotate_credential(conn, agency_id, key, secret=secret)
    assert rotated is not None
    return rotated.credential
