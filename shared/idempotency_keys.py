"""Idempotency-Key storage: what a keyed create asked for, and the answer it got.

One row per key, scoped to the agency, the principal and the route (`POST /path`), in
the service's own database. The row is claimed (with a short lease) before the request
runs; the write the request makes marks it *applied* in the write's own transaction
(`mark_applied`, called by the event store's append), so a key is never bound to an
effect that did not commit; the answer (status, headers, body) is kept after it is sent.

While a request holds a key, the ids it mints for new records (`minted_id`) are derived
from the key, so a retry that runs again after a crash (answer lost, effect committed)
lands on the record the first attempt made instead of making a second one.

A key is remembered for `idempotency_key_ttl_hours` (24 h by default); after that the
same key names a new request. Expired rows are purged by a kernel job.
"""

from __future__ import annotations

import uuid
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import timedelta
from enum import Enum
from typing import Any

from shared.database import Connection, Pool

_KEYS_NAMESPACE = uuid.UUID("5b0f4a53-8f53-4a4e-9a37-1c7de1d0a9e4")


@dataclass(frozen=True)
class KeyScope:
    """Whose key it is: one agency's principal on one route."""

    agency_id: str
    principal: str
    route: str
    key: str

    @property
    def values(self) -> tuple[str, str, str, str]:
        return (self.agency_id, self.principal, self.route, self.key)


@dataclass
class KeyedRequest:
    """The key the request being served holds (a context variable while it runs)."""

    scope: KeyScope
    minted: int = field(default=0)
    withheld: str | None = None  # why the answer must not be kept (it shows a secret once)


_current: ContextVar[KeyedRequest | None] = ContextVar("idempotency_key", default=None)


def hold(request: KeyedRequest | None) -> Any:
    """Make `request` the current keyed request; returns the token to `release` it."""
    return _current.set(request)


def release(token: Any) -> None:
    _current.reset(token)


def minted_id(requested: uuid.UUID | None = None) -> uuid.UUID:
    """A new record's id: the caller's own if given; under a key, derived from the key
    (the n-th id of the request), so a re-run mints the same ids; else a random one."""
    if requested is not None:
        return requested
    current = _current.get()
    if current is None:
        return uuid.uuid4()
    current.minted += 1
    name = "\x1f".join([*current.scope.values, str(current.minted)])
    return uuid.uuid5(_KEYS_NAMESPACE, name)


def withhold_answer(what: str) -> None:
    """The answer shows a secret once (an LMS credential's, a token): never keep it. A
    retry with the key is then told the create succeeded and where to look, not the
    secret again."""
    current = _current.get()
    if current is not None:
        current.withheld = what


def key_held() -> bool:
    """Whether the request being served holds a key (its write also binds the key)."""
    return _current.get() is not None


async def mark_applied(conn: Connection) -> None:
    """Bind the current key to the write in `conn`'s transaction (no key: nothing)."""
    current = _current.get()
    if current is None:
        return
    await conn.execute(
        "UPDATE idempotency_keys SET applied_at = coalesce(applied_at, now())"
        " WHERE agency_id = $1 AND principal = $2 AND route = $3 AND key = $4",
        *current.scope.values,
    )


class Outcome(Enum):
    CLAIMED = "claimed"  # run the request
    REPLAY = "replay"  # answer the stored response
    IN_FLIGHT = "in_flight"  # 409: the first request is still running
    OTHER_BODY = "other_body"  # 422: the key was used with another body


@dataclass(frozen=True)
class Claim:
    outcome: Outcome
    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


_WHERE = "agency_id = $1 AND principal = $2 AND route = $3 AND key = $4"


async def claim(
    pool: Pool, scope: KeyScope, fingerprint: str, ttl: timedelta, lease: timedelta
) -> Claim:
    """Take the key for this request, or say why not (replay, in flight, other body)."""
    async with pool.acquire() as conn, conn.transaction():
        inserted = await conn.fetchval(
            "INSERT INTO idempotency_keys (agency_id, principal, route, key, fingerprint,"
            " expires_at, lease_until) VALUES ($1, $2, $3, $4, $5, now() + $6, now() + $7)"
            " ON CONFLICT DO NOTHING RETURNING true",
            *scope.values,
            fingerprint,
            ttl,
            lease,
        )
        if inserted:
            return Claim(Outcome.CLAIMED)
        row = await conn.fetchrow(
            "SELECT fingerprint, response_status, response_headers, response_body,"
            " expires_at <= now() AS expired, coalesce(lease_until > now(), false) AS leased"
            f" FROM idempotency_keys WHERE {_WHERE} FOR UPDATE",
            *scope.values,
        )
        if row is None or row["expired"]:  # purged meanwhile, or remembered no longer
            await conn.execute(
                "INSERT INTO idempotency_keys (agency_id, principal, route, key, fingerprint,"
                " expires_at, lease_until) VALUES ($1, $2, $3, $4, $5, now() + $6, now() + $7)"
                " ON CONFLICT (agency_id, principal, route, key) DO UPDATE SET"
                " fingerprint = excluded.fingerprint, created_at = now(),"
                " expires_at = excluded.expires_at, lease_until = excluded.lease_until,"
                " applied_at = NULL, response_status = NULL, response_headers = NULL,"
                " response_body = NULL",
                *scope.values,
                fingerprint,
                ttl,
                lease,
            )
            return Claim(Outcome.CLAIMED)
        if row["fingerprint"] != fingerprint:
            return Claim(Outcome.OTHER_BODY)
        if row["response_status"] is not None:
            return Claim(
                Outcome.REPLAY,
                status=row["response_status"],
                headers=dict(row["response_headers"] or {}),
                body=bytes(row["response_body"] or b""),
            )
        if row["leased"]:
            return Claim(Outcome.IN_FLIGHT)
        # the first attempt's process died before answering: this retry runs it again
        await conn.execute(
            f"UPDATE idempotency_keys SET lease_until = now() + $5 WHERE {_WHERE}",
            *scope.values,
            lease,
        )
        return Claim(Outcome.CLAIMED)


async def remember_answer(
    pool: Pool, scope: KeyScope, status: int, headers: dict[str, str], body: bytes
) -> None:
    """Keep a success's answer for the key's retries."""
    async with pool.acquire() as conn:
        await conn.execute(
            "UPDATE idempotency_keys SET response_status = $5, response_headers = $6,"
            " response_body = $7, lease_until = NULL, applied_at = coalesce(applied_at, now())"
            f" WHERE {_WHERE}",
            *scope.values,
            status,
            headers,
            body,
        )


async def let_go(pool: Pool, scope: KeyScope) -> None:
    """A failed request frees its key (a retry runs again); one whose write committed
    keeps it, unanswered, so the retry re-runs onto the same record ids."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(
            f"DELETE FROM idempotency_keys WHERE {_WHERE} AND applied_at IS NULL", *scope.values
        )
        await conn.execute(
            f"UPDATE idempotency_keys SET lease_until = NULL WHERE {_WHERE}", *scope.values
        )


async def purge_expired(pool: Pool) -> int:
    """Forget keys past their expiry (a kernel periodic job)."""
    async with pool.acquire() as conn:
        status = await conn.execute("DELETE FROM idempotency_keys WHERE expires_at <= now()")
    return int(status.split()[-1])
