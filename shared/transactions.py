"""A transaction whose BEGIN carries its advisory locks: one round trip, not two.

A write that serialises on a stream takes a transaction-scoped advisory lock first thing
(`SELECT pg_advisory_xact_lock(hashtextextended(key, 0))`). Sent after `BEGIN`, that is
a round trip of its own, and on this path each round trip (a write() to PostgreSQL and
the wake-up for its answer) costs the service more CPU than the statement's own work.
`locked_transaction` sends `BEGIN; SELECT pg_advisory_xact_lock(...)` as one simple
query: the same transaction, the same lock, the same key, taken before anything else
runs in it. The key travels as a dollar-quoted literal (a simple query has no
parameters); a key that cannot be quoted safely is refused.

Code that takes the lock itself (a handler also called from a batch's transaction)
asks `take_lock`, which sends nothing when the transaction began holding that lock.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, cast

from asyncpg.exceptions import InterfaceError
from asyncpg.transaction import Transaction, TransactionState

from shared.commit_wake import watching_commit
from shared.database import Connection


@dataclass(frozen=True)
class AdvisoryLock:
    """`pg_advisory_xact_lock[_shared](hashtextextended(key, seed))` until the commit."""

    key: str
    shared: bool = False
    seed: int = 0

    @property
    def function(self) -> str:
        return "pg_advisory_xact_lock_shared" if self.shared else "pg_advisory_xact_lock"

    def statement(self) -> str:
        """The lock as a statement with its key written in (for a simple query)."""
        return f"SELECT {self.function}(hashtextextended({sql_literal(self.key)}, {self.seed:d}))"


def sql_literal(text: str) -> str:
    """`text` as a dollar-quoted literal: no character inside it is special, whatever
    the server's string settings (a tag that does not occur in it is chosen)."""
    if "\x00" in text:
        raise ValueError("a PostgreSQL text value cannot hold a NUL character")
    n = 0
    while f"$q{n}$" in text or text.endswith(f"$q{n}"):
        n += 1
    tag = f"$q{n}$"
    return f"{tag}{text}{tag}"


GENERIC_PLANS = "SET LOCAL plan_cache_mode = force_generic_plan"


# the connection whose transaction began holding these locks, while it runs
_HELD: ContextVar[tuple[object, frozenset[AdvisoryLock]] | None] = ContextVar(
    "advisory_locks_held", default=None
)


async def take_lock(conn: Connection, lock: AdvisoryLock) -> None:
    """Hold `lock` until `conn`'s transaction ends (nothing sent if it began with it)."""
    held = _HELD.get()
    if held is not None and held[0] is _raw(conn) and _covers(held[1], lock):
        return
    await conn.execute(f"SELECT {lock.function}(hashtextextended($1, {lock.seed:d}))", lock.key)


def _covers(held: frozenset[AdvisoryLock], lock: AdvisoryLock) -> bool:
    """An exclusive lock held covers a shared one asked for on the same key."""
    return lock in held or (
        lock.shared and AdvisoryLock(lock.key, shared=False, seed=lock.seed) in held
    )


@asynccontextmanager
async def locked_transaction(
    conn: Connection, locks: Sequence[AdvisoryLock], *, generic_plans: bool = False
) -> AsyncIterator[None]:
    """`conn.transaction()` that holds `locks` from its first statement on (in order).

    Outermost, it is begun with them in one round trip; savepoints inside it (`conn.
    transaction()`) work as usual, and its appends wake this process's relay once it ends
    rather than by NOTIFY (shared/commit_wake.py; with no locks, that is all it adds).
    Inside a transaction already (a batch's connection), it is that connection's
    `transaction()` block with the locks taken in it.

    `generic_plans`: its prepared statements run their generic plans (`SET LOCAL
    plan_cache_mode`, sent with the BEGIN; inside a batch's transaction, left as it
    is). PostgreSQL plans a prepared statement anew at every execution while it
    estimates the generic plan dearer than a plan for the values given, which it does
    for statements reading arrays of unknown length: planning a statement of several
    CTEs costs more CPU than running it. For a write whose every statement is driven by
    its keys' indexes (one practitioner's rows), the generic plan is about the same work
    without the planning."""
    if conn.is_in_transaction():
        async with conn.transaction():
            for lock in locks:
                await take_lock(conn, lock)
            yield
        return
    # the outermost transaction: its appends wake the relay in process once it ends
    with watching_commit(conn):
        if not (locks or generic_plans):
            async with conn.transaction():
                yield
            return
        raw = _raw(conn)
        prelude = "".join(f"; {lock.statement()}" for lock in locks)
        if generic_plans:
            prelude = f"; {GENERIC_PLANS}{prelude}"
        token = _HELD.set((raw, frozenset(locks)))
        try:
            async with _BegunWith(raw, prelude):
                yield
        finally:
            _HELD.reset(token)


def _raw(conn: Connection) -> Any:
    """The asyncpg connection itself (a pool hands out a proxy of it)."""
    return getattr(conn, "_con", None) or conn


class _BegunWith(Transaction):
    """asyncpg's transaction, begun by `BEGIN` and the statements in `prelude` together.

    Only `start` differs (asyncpg's sends `BEGIN` alone); commit, rollback and the
    savepoints nested in it are asyncpg's own."""

    __slots__ = ("_prelude",)

    def __init__(self, connection: Any, prelude: str) -> None:
        super().__init__(connection, None, False, False)
        self._prelude = prelude

    async def start(self) -> None:
        con = cast(Any, self)._connection
        if con.is_closed():
            raise InterfaceError("cannot begin a transaction: the connection is closed")
        if con._top_xact is not None or con.is_in_transaction():
            raise InterfaceError("a transaction begun with its locks must be the outermost one")
        con._top_xact = self
        try:
            await con.execute(f"BEGIN{self._prelude}")
        except BaseException:
            self._state = TransactionState.FAILED
            raise
        self._state = TransactionState.STARTED
