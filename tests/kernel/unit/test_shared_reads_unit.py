"""Identical reads share a query only when it is sent after each of them arrived."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from shared.shared_reads import SharedReads


class Database:
    """A stand-in for a query: each read gets the value current when it was sent, after
    waiting for a connection until `connection` is set."""

    def __init__(self) -> None:
        self.value = 0
        self.sent = 0
        self.connection = asyncio.Event()
        self.query_sent = asyncio.Event()
        self.fail_next: BaseException | None = None

    def reader(self, tag: str = "") -> Callable[[Callable[[], None]], Awaitable[str]]:
        async def read(starting: Callable[[], None]) -> str:
            await self.connection.wait()
            starting()
            self.sent += 1
            self.query_sent.set()
            seen = self.value
            await asyncio.sleep(0)  # the answer comes back later
            if self.fail_next is not None:
                error, self.fail_next = self.fail_next, None
                raise error
            return f"{tag}{seen}"

        return read


async def test_requests_that_arrive_while_the_read_waits_for_a_connection_share_its_answer() -> (
    None
):
    database, reads = Database(), SharedReads[str]()
    asked = [asyncio.create_task(reads.read("page", database.reader())) for _ in range(5)]
    await asyncio.sleep(0)
    database.connection.set()
    assert await asyncio.gather(*asked) == ["0"] * 5
    assert database.sent == 1
    assert reads.open_groups() == 0


async def test_a_request_after_the_query_was_sent_reads_anew_and_sees_a_later_write() -> None:
    database, reads = Database(), SharedReads[str]()
    database.connection.set()
    first = asyncio.create_task(reads.read("page", database.reader()))
    await database.query_sent.wait()  # the first query is sent: its group is closed
    database.value = 1  # a write commits after the first query began
    second = asyncio.create_task(reads.read("page", database.reader()))
    assert await first == "0"
    assert await second == "1"
    assert database.sent == 2


async def test_reads_of_different_keys_are_never_shared() -> None:
    database, reads = Database(), SharedReads[str]()
    one = asyncio.create_task(reads.read("page-1", database.reader("one:")))
    other = asyncio.create_task(reads.read("page-2", database.reader("other:")))
    await asyncio.sleep(0)
    database.connection.set()
    assert (await one, await other) == ("one:0", "other:0")
    assert database.sent == 2


async def test_when_the_shared_read_fails_each_joined_request_reads_on_its_own() -> None:
    database, reads = Database(), SharedReads[str]()
    leader = asyncio.create_task(reads.read("page", database.reader()))
    joined = [asyncio.create_task(reads.read("page", database.reader())) for _ in range(3)]
    await asyncio.sleep(0)
    database.fail_next = ConnectionResetError("database away")
    database.connection.set()
    with pytest.raises(ConnectionResetError):
        await leader
    assert await asyncio.gather(*joined) == ["0"] * 3
    assert database.sent == 4  # the failed one, then one of each joined request
    assert reads.open_groups() == 0


async def test_a_cancelled_leader_leaves_the_joined_requests_to_read_on_their_own() -> None:
    database, reads = Database(), SharedReads[str]()
    leader = asyncio.create_task(reads.read("page", database.reader()))
    joined = asyncio.create_task(reads.read("page", database.reader()))
    await asyncio.sleep(0)
    leader.cancel()
    await asyncio.sleep(0)
    database.connection.set()
    assert await joined == "0"
    assert leader.cancelled()
    assert reads.open_groups() == 0


async def test_a_cancelled_joined_request_leaves_the_answer_to_the_others() -> None:
    database, reads = Database(), SharedReads[str]()
    leader = asyncio.create_task(reads.read("page", database.reader()))
    gone, stays = (asyncio.create_task(reads.read("page", database.reader())) for _ in range(2))
    await asyncio.sleep(0)
    gone.cancel()
    database.connection.set()
    assert (await leader, await stays) == ("0", "0")
    assert gone.cancelled()
    assert database.sent == 1


async def test_requests_that_arrive_together_share_a_read_even_with_a_connection_free() -> None:
    database, reads = Database(), SharedReads[str]()
    database.connection.set()
    together = [asyncio.create_task(reads.read("page", database.reader())) for _ in range(4)]
    assert await asyncio.gather(*together) == ["0"] * 4
    assert database.sent == 1
