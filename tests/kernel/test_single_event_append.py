"""One event's append binds its values as they are; several events bind an array per
column. Either way the same rows are stored and answered."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from shared.database import Connection
from shared.projected import Projected
from tests.kernel.probe import Probe, pending


@contextmanager
def sent_statements(conn: Connection) -> Iterator[list[str]]:
    """The statements `conn` sends meanwhile, as asyncpg logs them."""
    sent: list[str] = []

    def logged(query: Any) -> None:
        sent.append(" ".join(query.query.split()))

    conn.add_query_logger(logged)
    try:
        yield sent
    finally:
        conn.remove_query_logger(logged)


def seen_row(event_id: str) -> Projected:
    return Projected("INSERT INTO probe_seen (event_id) SELECT $1::text FROM appended", (event_id,))


async def test_one_events_append_binds_its_values_and_several_an_array_per_column(
    probe: Probe,
) -> None:
    one, several, alone = (f"{kind}-{uuid.uuid4()}" for kind in ("one", "several", "alone"))
    row_id = str(uuid.uuid4())
    async with probe.pool.acquire() as conn:
        with sent_statements(conn) as sent:
            async with conn.transaction():
                [first] = await probe.store.append(conn, one, [pending("p", 1)], 0)
                pair = await probe.store.append(
                    conn, several, [pending("p", 2), pending("p", 3)], 0
                )
            [third] = await probe.store.append_alone(
                conn, alone, [pending("p", 4)], 0, projected=seen_row(row_id)
            )

    appends = [s for s in sent if s.startswith("WITH current")]
    assert ["unnest(" in s for s in appends] == [False, True, False]
    read = await probe.store.read_streams([one, several, alone])
    assert ([first], pair, [third]) == (read[one], read[several], read[alone])
    assert [e.data["amount"] for e in [first, *pair, third]] == [1, 2, 3, 4]
    async with probe.pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM probe_seen WHERE event_id = $1", row_id)
