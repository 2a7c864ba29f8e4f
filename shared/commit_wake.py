"""Waking this process's outbox relay once a write commits, in place of a NOTIFY.

An append used to wake the relay with `pg_notify` inside its transaction. PostgreSQL
queues a transaction's notifications at its commit under one lock for the whole server,
held until the commit record is flushed to disk: every notifying writer of every service
on that server commits only after the one before it has flushed (no group commit), and
every listening session of the database is signalled and sent each notification. With
16 writers, an INSERT and COMMIT per transaction, a NOTIFY in each halved the
transactions per second and added about 0.2 ms of PostgreSQL CPU to each.

So when the relay leading is this process's own (`LocalRelay.wake` is set while it
leads) and the append's transaction is one the kernel begins and commits
(`locked_transaction`, `EventStore.transaction`, watched by `watching_commit`), the
append sends no NOTIFY; the relay is woken in process when that transaction has ended.
Any other append (another replica's relay leads, a transaction the kernel does not see
end) notifies as before. If leadership passes on between the append and its commit, the
new leader still publishes the event at its next wake or poll: nothing is lost, it can
only wait up to the poll interval.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass
class LocalRelay:
    """How to wake the relay of this process: set by the relay while it leads."""

    wake: Callable[[], None] | None = None


@dataclass
class _Watch:
    """The outermost transaction of `conn` running now, and whom to wake when it ends."""

    conn: object
    wakes: list[Callable[[], None]] = field(default_factory=list)


_WATCHED: ContextVar[_Watch | None] = ContextVar("commit_watched", default=None)


@contextmanager
def watching_commit(conn: object) -> Iterator[None]:
    """Around `conn`'s outermost transaction (its commit is done when the block ends):
    the relays its appends chose to wake in process are woken as it ends.

    They are woken however it ends: a rollback leaves nothing to publish (the relay
    finds nothing), and a commit whose answer was lost may have gone through."""
    watch = _Watch(conn)
    token = _WATCHED.set(watch)
    try:
        yield
    finally:
        _WATCHED.reset(token)
        for wake in watch.wakes:
            wake()


def woken_after_commit(conn: object, relay: LocalRelay) -> bool:
    """Whether the relay leading in this process will be woken when `conn`'s watched
    transaction ends (the append then sends no NOTIFY); False: notify as before."""
    wake = relay.wake
    watch = _WATCHED.get()
    if wake is None or watch is None or watch.conn is not conn:
        return False
    if wake not in watch.wakes:
        watch.wakes.append(wake)
    return True
