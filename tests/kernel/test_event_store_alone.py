"""Writes in fewer round trips: an append that is a write's only statement commits by
itself; a stream read carries the check the write needs."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import asyncpg
import pytest

from shared.database import Connection
from shared.eventstore import ConcurrencyConflict
from shared.projected import Projected
from tests.kernel.probe import Probe, pending


def seen_row(event_id: str) -> Projected:
    return Projected("INSERT INTO probe_seen (event_id) SELECT $1::text FROM appended", (event_id,))


@contextmanager
def statements_of(conn: Connection) -> Iterator[list[str]]:
    """The statements `conn` sends meanwhile, as asyncpg logs them."""
    sent: list[str] = []

    def logged(query: Any) -> None:
        sent.append(" ".join(query.query.split())[:40])

    conn.add_query_logger(logged)
    try:
        yield sent
    finally:
        conn.remove_query_logger(logged)


async def seen(probe: Probe, *event_ids: str) -> list[str]:
    async with probe.pool.acquire() as conn:
        rows = await conn.fetch(
            "SELECT event_id FROM probe_seen WHERE event_id = ANY($1::text[])", list(event_ids)
        )
    return [row["event_id"] for row in rows]


async def test_one_event_and_its_row_are_committed_by_their_one_statement(probe: Probe) -> None:
    row_id = str(uuid.uuid4())
    async with probe.pool.acquire() as conn:
        # the first use of the statement asks for its types; the next one is measured
        await probe.store.append_alone(
            conn, "warm", [pending("p", 1)], expected_version=0, projected=seen_row("warm")
        )
        with statements_of(conn) as sent:
            [stored] = await probe.store.append_alone(
                conn, "alone", [pending("p", 7)], expected_version=0, projected=seen_row(row_id)
            )
        assert not conn.is_in_transaction()

    assert len(sent) == 1 and sent[0].startswith("WITH current AS")
    assert [(e.event_id, e.stream_version) for e in await probe.store.read_stream("alone")] == [
        (stored.event_id, 1)
    ]
    assert stored.data == {"amount": 7}
    assert await seen(probe, row_id) == [row_id]


async def test_a_stale_version_is_refused_writing_neither_event_nor_row(probe: Probe) -> None:
    await probe.append("stale", pending("p", 1))
    row_id = str(uuid.uuid4())
    async with probe.pool.acquire() as conn:
        with pytest.raises(ConcurrencyConflict):
            await probe.store.append_alone(
                conn, "stale", [pending("p", 2)], expected_version=0, projected=seen_row(row_id)
            )
        assert not conn.is_in_transaction()

    assert [e.data["amount"] for e in await probe.store.read_stream("stale")] == [1]
    assert await seen(probe, row_id) == []


async def test_a_clashing_event_id_is_refused_as_the_careful_append_refuses_it(
    probe: Probe,
) -> None:
    [first] = await probe.append("first", pending("p", 1))
    twin = dataclasses.replace(pending("p", 2), event_id=first.event_id)
    async with probe.pool.acquire() as conn:
        with pytest.raises(asyncpg.UniqueViolationError):
            await probe.store.append_alone(conn, "second", [twin], expected_version=0)

    assert await probe.store.read_stream("second") == []


async def test_several_events_are_appended_in_a_transaction_all_or_none(probe: Probe) -> None:
    async with probe.pool.acquire() as conn:
        await probe.store.append_alone(conn, "warm", [pending("p", 1)], expected_version=0)
        with statements_of(conn) as sent:
            stored = await probe.store.append_alone(
                conn, "several", [pending("p", 1), pending("p", 2)], expected_version=0
            )

    assert sent[0] == "BEGIN;" and sent[-1] == "COMMIT;"
    assert [e.stream_version for e in stored] == [1, 2]
    assert len(await probe.store.read_stream("several")) == 2


async def test_a_stream_read_with_a_check_answers_both_in_one_statement(probe: Probe) -> None:
    await probe.append("checked", pending("p", 1), pending("p", 2), pending("p", 3))
    check = "SELECT 1 WHERE $3::int > 0"
    async with probe.pool.acquire() as conn:
        await probe.store.read_stream_checking(conn, "checked", 1, check, 1)  # types asked
        with statements_of(conn) as sent:
            tail, passed = await probe.store.read_stream_checking(conn, "checked", 2, check, 1)
        refused = await probe.store.read_stream_checking(conn, "checked", 2, check, 0)
        nothing = await probe.store.read_stream_checking(conn, "no-such-stream", 1, check, 1)

    assert len(sent) == 1
    assert [(e.stream_version, e.data["amount"]) for e in tail] == [(2, 2), (3, 3)]
    assert passed
    assert [e.stream_version for e in refused[0]] == [2, 3] and not refused[1]
    assert nothing == ([], True)


async def test_a_read_of_several_streams_with_a_check_answers_both_in_one_statement(
    probe: Probe,
) -> None:
    await probe.append("one", pending("p", 1), pending("p", 2))
    await probe.append("two", pending("q", 3))
    check = "SELECT 1 WHERE $2::int > 0"
    async with probe.pool.acquire() as conn:
        await probe.store.read_streams_checking(conn, ["one"], check, 1)  # types asked
        with statements_of(conn) as sent:
            streams, passed = await probe.store.read_streams_checking(
                conn, ["one", "two", "none"], check, 1
            )
        _, refused = await probe.store.read_streams_checking(conn, ["one"], check, 0)

    assert len(sent) == 1 and passed and not refused
    assert {k: [e.data["amount"] for e in v] for k, v in streams.items()} == {
        "one": [1, 2],
        "two": [3],
        "none": [],
    }
