"""The whole-batch try: handlers' transaction blocks open no savepoint, and any exception
that crosses one spoils the try, even when the handler swallows it."""

from __future__ import annotations

from typing import Any, cast

import pytest

from shared.batch_attempt import SpoiledAttempt, WholeBatchConnection
from shared.database import Connection


class Recorder:
    """Stands for the batch's connection: records what reaches it."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    async def execute(self, query: str) -> str:
        self.calls.append(query)
        return "OK"

    def transaction(self) -> Any:
        raise AssertionError("a whole-batch try must open no savepoint")


def whole_batch() -> tuple[WholeBatchConnection, Recorder]:
    recorder = Recorder()
    return WholeBatchConnection(cast(Connection, recorder)), recorder


async def test_statements_reach_the_batch_connection_and_blocks_open_no_savepoint() -> None:
    whole, recorder = whole_batch()
    async with whole.transaction():
        assert await whole.execute("INSERT 1") == "OK"
    whole.check()  # nothing crossed the block: the try stands
    assert recorder.calls == ["INSERT 1"]
    assert not whole.spoiled


async def test_an_exception_a_handler_swallows_still_spoils_the_try() -> None:
    whole, _ = whole_batch()
    try:
        async with whole.transaction():
            raise ValueError("the handler relied on this block's rollback")
    except ValueError:
        pass  # the handler goes on, as if the savepoint had undone its writes
    with pytest.raises(SpoiledAttempt):
        whole.check()
