"""One query for identical reads asked at the same time, never one that began before them.

A list every client refreshes (certification's board) is asked by many callers at once,
each the same question. Each asked its own query: a pooled connection, PostgreSQL's
work, the rows decoded and the answer built, once per request, and under load most of a
request's time went to waiting for a connection behind the others' identical queries.

`SharedReads.read(key, read)` lets the requests with equal keys that arrive while one of
them waits to start its query (a turn of the event loop at least, and as long as it
waits for a connection) take that query's answer. The first is the *leader*: its `read`
gets a `starting` callback and calls it right before its query is sent, which closes the
group; a request of the same key after that starts a group of its own. So
every answer comes from a query sent after its request arrived: what a request would
have read on its own at some moment of its own lifetime, never an answer read before it
(a write committed before the request was sent is in it). Nothing is kept once the
group's answer is handed over; this is no cache.

The key must name everything the answer depends on (the query's text and arguments, the
pool it runs on). Where the leader's read fails or is cancelled, each request that joined
it reads on its own, so it gets its own answer or its own error, as without sharing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

Value = TypeVar("Value")
# a read: given the callback to call right before its query is sent
Read = Callable[[Callable[[], None]], Awaitable[Value]]

_FAILED = object()  # the leader's read gave no answer: each joined request reads alone


def _nothing() -> None:
    """The `starting` callback of a read no one can join."""


class SharedReads(Generic[Value]):
    """The groups of identical reads still open to joiners, by key (module docstring)."""

    def __init__(self) -> None:
        self._open: dict[Hashable, asyncio.Future[object]] = {}

    async def read(self, key: Hashable, read: Read[Value]) -> Value:
        joined = self._open.get(key)
        if joined is not None:
            # shielded: a joiner cancelled leaves the group's answer to the others
            answer = await asyncio.shield(joined)
            if answer is _FAILED:
                return await read(_nothing)
            return answer  # type: ignore[return-value]  # the leader's Value
        group: asyncio.Future[object] = asyncio.get_running_loop().create_future()
        self._open[key] = group

        def starting() -> None:
            if self._open.get(key) is group:
                del self._open[key]

        try:
            # one turn of the event loop first: the requests that arrived with this one
            # (their tasks queued behind it) join before a free connection sends the query
            await asyncio.sleep(0)
            value = await read(starting)
        except BaseException:
            starting()
            group.set_result(_FAILED)
            raise
        starting()  # a read that sent nothing still closes its group
        group.set_result(value)
        return value

    def open_groups(self) -> int:
        """How many groups still take joiners (none once every read has started)."""
        return len(self._open)
