"""LMS-partner credentials: rows hold the key, the agency and the scrypt hash only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shared.database import Connection

from ..credentials import SecretHash, authority_agent

_COLUMNS = (
    "key, agency_id, partner_name, secret_digest, secret_salt, scrypt_n, scrypt_r, scrypt_p,"
    " authority, created_at, rotated_at, revoked_at"
)


@dataclass(frozen=True)
class StoredCredential:
    key: str
    agency_id: str
    partner_name: str
    secret: SecretHash
    authority: dict[str, Any]
    created_at: datetime
    rotated_at: datetime | None
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def _credential(row: Any) -> StoredCredential:
    return StoredCredential(
        key=row["key"],
        agency_id=row["agency_id"],
        partner_name=row["partner_name"],
        secret=SecretHash(
            row["secret_digest"],
            row["secret_salt"],
            row["scrypt_n"],
            row["scrypt_r"],
            row["scrypt_p"],
        ),
        authority=row["authority"],
        created_at=row["created_at"],
        rotated_at=row["rotated_at"],
        revoked_at=row["revoked_at"],
    )


async def find_credential(conn: Connection, key: str) -> StoredCredential | None:
    row = await conn.fetchrow(f"SELECT {_COLUMNS} FROM xapi_credentials WHERE key = $1", key)
    return _credential(row) if row else None


async def list_credentials(conn: Connection, agency_id: str) -> list[StoredCredential]:
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM xapi_credentials WHERE agency_id = $1 ORDER BY key", agency_id
    )
    return [_credential(row) for row in rows]


async def insert_credential(
    conn: Connection, agency_id: str, key: str, partner_name: str, secret: SecretHash
) -> StoredCredential | None:
    """The new credential, or None when the key is taken."""
    row = await conn.fetchrow(
        f"""
        INSERT INTO xapi_credentials (key, agency_id, partner_name, secret_digest, secret_salt,
            scrypt_n, scrypt_r, scrypt_p, authority)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb)
        ON CONFLICT (key) DO NOTHING
        RETURNING {_COLUMNS}
        """,
        key,
        agency_id,
        partner_name,
        secret.digest,
        secret.salt,
        secret.n,
        secret.r,
        secret.p,
        authority_agent(key, partner_name),
    )
    return _credential(row) if row else None


async def replace_secret(
    conn: Connection, agency_id: str, key: str, secret: SecretHash
) -> StoredCredential | None:
    """Rotate (and reactivate) the agency's credential; None if it has no such key."""
    row = await conn.fetchrow(
        f"""
        UPDATE xapi_credentials SET secret_digest = $3, secret_salt = $4, scrypt_n = $5,
            scrypt_r = $6, scrypt_p = $7, rotated_at = now(), revoked_at = NULL
        WHERE key = $1 AND agency_id = $2
        RETURNING {_COLUMNS}
        """,
        key,
        agency_id,
        secret.digest,
        secret.salt,
        secret.n,
        secret.r,
        secret.p,
    )
    return _credential(row) if row else None


async def revoke_credential(conn: Connection, agency_id: str, key: str) -> bool:
    status = await conn.execute(
        "UPDATE xapi_credentials SET revoked_at = coalesce(revoked_at, now())"
        " WHERE key = $1 AND agency_id = $2",
        key,
        agency_id,
    )
    return status != "UPDATE 0"
