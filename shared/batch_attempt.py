"""A batch tried whole first: the connection a batch's handlers get on that first try.

Lines of an import (like messages of a consumer batch) each run in a savepoint, so a
bad one rolls back alone; that costs two round trips a line, and the handlers' own
`conn.transaction()` blocks add two more. Most batches hold no bad line, so a batch is
first tried in one savepoint of its own, the handlers' blocks made no-ops by
`WholeBatchConnection`. Any error, or any exception that crosses one of those blocks
(even one a handler catches: the rollback it relied on did not happen), spoils the try;
the batch's savepoint is then rolled back and the batch run again line by line.
"""

from __future__ import annotations

from typing import Any

from shared.database import Connection


class SpoiledAttempt(Exception):
    """An exception crossed a handler's transaction block during a whole-batch try."""


class WholeBatchConnection:
    """Forwards everything to the batch's connection but `transaction()`, which opens no
    savepoint and marks the try spoiled when an exception passes through it."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self.spoiled = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)

    def transaction(self, **_options: Any) -> _Unguarded:
        return _Unguarded(self)

    def check(self) -> None:
        """Raise when the try is spoiled, even if a handler swallowed the error."""
        if self.spoiled:
            raise SpoiledAttempt("an exception crossed a transaction block of the batch")


class _Unguarded:
    """`async with conn.transaction():` without a savepoint (the batch's one covers it)."""

    def __init__(self, owner: WholeBatchConnection) -> None:
        self._owner = owner

    async def __aenter__(self) -> None:
        return None

    async def __aexit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is not None:
            self._owner.spoiled = True
