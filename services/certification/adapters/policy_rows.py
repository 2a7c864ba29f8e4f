"""Policy versions and adoptions of an agency; the seed policy is every agency's default.

The seed (`DEFAULT_POLICY`) lives in code and is never stored: an agency that adopted
nothing is under it, and its id and version are reserved. Versions are immutable, so
a parsed policy can be cached by (agency, id, version).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from services.certification.domain.policy import Policy
from services.certification.domain.seed_policies import DEFAULT_POLICY
from shared.database import Connection


def is_seed(policy_id: str, version: int) -> bool:
    return (policy_id, version) == (DEFAULT_POLICY.id, DEFAULT_POLICY.version)


@lru_cache(maxsize=512)
def _parsed(agency_id: str, policy_id: str, version: int, text: str) -> Policy:
    return Policy.model_validate_json(text)


async def policy_version(
    conn: Connection, agency_id: str, policy_id: str, version: int
) -> Policy | None:
    if is_seed(policy_id, version):
        return DEFAULT_POLICY
    text = await conn.fetchval(
        "SELECT policy::text FROM policy_versions"
        " WHERE agency_id = $1 AND policy_id = $2 AND policy_version = $3",
        agency_id,
        policy_id,
        version,
    )
    return _parsed(agency_id, policy_id, version, text) if text is not None else None


@dataclass(frozen=True)
class Adoption:
    policy_id: str
    policy_version: int
    adopted_on: date | None
    adopted_by: str | None
    recorded_at: datetime | None
    position: int = 0


DEFAULT_ADOPTION = Adoption(DEFAULT_POLICY.id, DEFAULT_POLICY.version, None, None, None)


async def current_adoption(conn: Connection, agency_id: str) -> Adoption:
    row = await conn.fetchrow(
        "SELECT * FROM policy_adoptions WHERE agency_id = $1 ORDER BY position DESC LIMIT 1",
        agency_id,
    )
    return _adoption(row)


async def adoption_in_force(conn: Connection, agency_id: str, day: date) -> Adoption:
    """The adoption in force on `day`: the latest adopted on or before it (else the seed)."""
    row = await conn.fetchrow(
        "SELECT * FROM policy_adoptions WHERE agency_id = $1 AND adopted_on <= $2"
        " ORDER BY position DESC LIMIT 1",
        agency_id,
        day,
    )
    return _adoption(row)


def _adoption(row: Any) -> Adoption:
    if row is None:
        return DEFAULT_ADOPTION
    return Adoption(
        policy_id=row["policy_id"],
        policy_version=row["policy_version"],
        adopted_on=row["adopted_on"],
        adopted_by=row["adopted_by"],
        recorded_at=row["recorded_at"],
        position=row["position"],
    )


async def adopted_policy(conn: Connection, agency_id: str) -> Policy:
    """The policy the agency's practitioners are evaluated under now."""
    return await _adopted(conn, agency_id, None)


async def policy_in_force(conn: Connection, agency_id: str, day: date) -> Policy:
    """The policy an "as of `day`" question is answered under."""
    return await _adopted(conn, agency_id, day)


# the latest adoption (on or before $2, when given) with its version's text
ADOPTED = """
    SELECT a.policy_id, a.policy_version, v.policy::text AS text
    FROM policy_adoptions a
    LEFT JOIN policy_versions v ON v.agency_id = a.agency_id
        AND v.policy_id = a.policy_id AND v.policy_version = a.policy_version
    WHERE a.agency_id = $1 AND ($2::date IS NULL OR a.adopted_on <= $2)
    ORDER BY a.position DESC LIMIT 1
"""


async def _adopted(conn: Connection, agency_id: str, day: date | None) -> Policy:
    """The latest adoption (on or before ``day``) and its version's text in one round trip;
    the parsed policy is cached by its content (versions are immutable), so nothing can
    go stale across processes and a hit costs no parse."""
    return adopted_from(agency_id, await conn.fetchrow(ADOPTED, agency_id, day))


def adopted_from(agency_id: str, row: Any) -> Policy:
    """The policy of an `ADOPTED` row (its columns; None or NULLs: nothing adopted)."""
    if row is None or row["policy_id"] is None:
        return DEFAULT_POLICY
    if is_seed(row["policy_id"], row["policy_version"]):
        return DEFAULT_POLICY
    if row["text"] is None:  # adoption is only accepted for a stored version
        raise LookupError(f"adopted policy {row['policy_id']} v{row['policy_version']} missing")
    return _parsed(agency_id, row["policy_id"], row["policy_version"], row["text"])
