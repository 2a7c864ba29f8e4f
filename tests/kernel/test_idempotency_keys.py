"""Idempotency-Key storage against the real database: claims, leases, atomic binding."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import pytest

from shared.database import Pool, create_pool
from shared.eventstore import EventStore
from shared.idempotency_keys import (
    KeyedRequest,
    KeyScope,
    Outcome,
    claim,
    hold,
    let_go,
    minted_id,
    purge_expired,
    release,
    remember_answer,
)
from shared.schema.kernel_tables import KERNEL_SCHEMA
from shared.schema.runner import migrate
from tests.kernel.probe import ProbeSettings, pending

DAY = timedelta(days=1)
LEASE = timedelta(seconds=30)
SCOPE = KeyScope("agency-a", "observer-1", "POST /observations", "key-1")


@pytest.fixture
async def pool(settings_for: Callable[..., Any]) -> AsyncIterator[Pool]:
    settings = settings_for(ProbeSettings)
    pool = await create_pool(settings)
    await migrate(settings, KERNEL_SCHEMA, pool)
    yield pool
    await pool.close()


async def applied_at(pool: Pool, scope: KeyScope = SCOPE) -> Any:
    async with pool.acquire() as conn:
        return await conn.fetchval(
            "SELECT applied_at FROM idempotency_keys WHERE key = $1", scope.key
        )


async def test_a_retry_while_the_first_runs_is_told_it_is_in_flight(pool: Pool) -> None:
    first = await claim(pool, SCOPE, "body-1", DAY, LEASE)
    retry = await claim(pool, SCOPE, "body-1", DAY, LEASE)
    other = await claim(pool, SCOPE, "body-2", DAY, LEASE)

    assert (first.outcome, retry.outcome, other.outcome) == (
        Outcome.CLAIMED,
        Outcome.IN_FLIGHT,
        Outcome.OTHER_BODY,
    )


async def test_an_answered_key_replays_its_answer(pool: Pool) -> None:
    await claim(pool, SCOPE, "body-1", DAY, LEASE)
    await remember_answer(pool, SCOPE, 201, {"content-type": "application/json"}, b'{"a":1}')

    retry = await claim(pool, SCOPE, "body-1", DAY, LEASE)

    assert (retry.outcome, retry.status, retry.body) == (Outcome.REPLAY, 201, b'{"a":1}')
    assert retry.headers == {"content-type": "application/json"}


async def test_the_key_is_bound_to_a_write_only_if_the_write_commits(pool: Pool) -> None:
    store = EventStore(pool, notify_channel="probe_events")
    await claim(pool, SCOPE, "body-1", DAY, LEASE)
    token = hold(KeyedRequest(SCOPE))
    try:
        with pytest.raises(RuntimeError):
            async with store.transaction() as conn:
                await store.append(conn, "s-1", [pending("p", 1)], expected_version=0)
                raise RuntimeError("the write fails after its append")
        unbound = await applied_at(pool)
        async with store.transaction() as conn:
            await store.append(conn, "s-1", [pending("p", 1)], expected_version=0)
    finally:
        release(token)

    assert unbound is None
    assert await applied_at(pool) is not None


async def test_an_append_alone_binds_the_held_key_with_its_event(pool: Pool) -> None:
    store = EventStore(pool, notify_channel="probe_events")
    await claim(pool, SCOPE, "body-1", DAY, LEASE)
    token = hold(KeyedRequest(SCOPE))
    try:
        async with pool.acquire() as conn:
            await store.append_alone(conn, "s-alone", [pending("p", 1)], expected_version=0)
    finally:
        release(token)

    assert await applied_at(pool) is not None


async def test_a_failed_request_frees_its_key_unless_its_write_committed(pool: Pool) -> None:
    written = KeyScope("agency-a", "observer-1", "POST /observations", "key-2")
    for scope in (SCOPE, written):
        await claim(pool, scope, "body-1", DAY, LEASE)
    async with pool.acquire() as conn:
        await conn.execute("UPDATE idempotency_keys SET applied_at = now() WHERE key = 'key-2'")

    await let_go(pool, SCOPE)
    await let_go(pool, written)

    assert (await claim(pool, SCOPE, "body-9", DAY, LEASE)).outcome is Outcome.CLAIMED
    assert (await claim(pool, written, "body-9", DAY, LEASE)).outcome is Outcome.OTHER_BODY
    assert (await claim(pool, written, "body-1", DAY, LEASE)).outcome is Outcome.CLAIMED


async def test_a_rerun_after_a_lost_answer_mints_the_ids_of_the_first_run(pool: Pool) -> None:
    def ids_of_one_run() -> list[Any]:
        token = hold(KeyedRequest(SCOPE))
        try:
            return [minted_id(), minted_id()]
        finally:
            release(token)

    await claim(pool, SCOPE, "body-1", DAY, timedelta(seconds=0))
    first_run = ids_of_one_run()
    retry = await claim(pool, SCOPE, "body-1", DAY, LEASE)  # the lease ran out: run again

    assert retry.outcome is Outcome.CLAIMED
    assert ids_of_one_run() == first_run
    assert first_run[0] != first_run[1]
    assert minted_id() not in first_run  # no key held: a random id


async def test_an_expired_key_names_a_new_request_and_is_purged(pool: Pool) -> None:
    await claim(pool, SCOPE, "body-1", timedelta(seconds=0), LEASE)
    await remember_answer(pool, SCOPE, 201, {}, b"{}")

    assert await purge_expired(pool) == 1
    assert (await claim(pool, SCOPE, "body-2", DAY, LEASE)).outcome is Outcome.CLAIMED
