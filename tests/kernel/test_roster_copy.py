"""The kernel's roster copy against the real PostgreSQL: the same events in any order, or
delivered twice, leave the same copy; teams and the refusal read it on a date."""

from __future__ import annotations

import itertools
import random
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from shared.database import Pool, create_pool
from shared.envelope import CloudEvent, event_source, event_type
from shared.practice_time import as_practice_datetime
from shared.problems import Problem
from shared.roster import (
    ON_ROSTER_OF,
    entries_on,
    histories,
    off_roster,
    require_on_roster,
    team_on,
)
from shared.roster_copy import keep_roster_event, keep_roster_events
from shared.schema.roster_copy_tables import MODELS as ROSTER_COPY_MODELS
from shared.testing.tables import create_declared
from tests.kernel.probe import ProbeSettings

AGENCY = "agency-r"
START, MOVED, LEFT, BACK = date(2025, 1, 6), date(2025, 4, 1), date(2025, 6, 1), date(2025, 8, 1)
RECORDED = datetime(2025, 9, 1, tzinfo=UTC)


def roster_event(name: str, on: date, data: dict[str, Any], recorded: int) -> CloudEvent:
    return CloudEvent(
        id=str(uuid.uuid4()),
        source=event_source("certification"),
        type=event_type("certification", name, 1),
        subject="p-1",
        time=as_practice_datetime(on),
        agencyid=AGENCY,
        recordedtime=RECORDED + timedelta(minutes=recorded),
        data={"practitioner_id": "p-1", **data},
    )


def details(supervisor: str, team: str | None) -> dict[str, Any]:
    return {
        "role": "facilitator",
        "program_start": START.isoformat(),
        "coach_id": "coach-1",
        "supervisor_id": supervisor,
        "team_id": team,
    }


EVENTS = [
    roster_event("practitioner_registered", START, details("sup-a", None), 0),
    roster_event(
        "practitioner_details_changed",
        MOVED,
        {"effective_on": MOVED.isoformat(), "changed": ["supervisor_id", "team_id"]}
        | details("sup-b", "north"),
        1,
    ),
    roster_event("practitioner_left", LEFT, {"effective_on": LEFT.isoformat(), "reason": None}, 2),
    roster_event("practitioner_returned", BACK, {"effective_on": BACK.isoformat()}, 3),
]


@pytest.fixture
async def pool(probe_settings: ProbeSettings) -> AsyncIterator[Pool]:
    created = await create_pool(probe_settings)
    await create_declared(created, ROSTER_COPY_MODELS)
    yield created
    await created.close()


async def copy_of(pool: Pool) -> list[tuple[Any, ...]]:
    async with pool.acquire() as conn:
        found = [
            tuple(r)
            for r in await conn.fetch(
                "SELECT effective_on, supervisor_id, team_id FROM roster_details"
                " ORDER BY effective_on"
            )
        ]
        found += [
            tuple(r)
            for r in await conn.fetch(
                "SELECT kind, effective_on FROM roster_departures ORDER BY effective_on"
            )
        ]
    return found


async def apply(pool: Pool, events: list[CloudEvent]) -> None:
    async with pool.acquire() as conn:
        for event in events:
            await keep_roster_event(conn, event)


async def clear(pool: Pool) -> None:
    async with pool.acquire() as conn:
        await conn.execute("TRUNCATE roster_details, roster_departures")


async def test_the_copy_is_the_same_whatever_order_or_repeats_the_events_come_in(
    pool: Pool,
) -> None:
    await apply(pool, EVENTS)
    expected = await copy_of(pool)

    for order in itertools.islice(itertools.permutations(EVENTS), 0, None, 5):
        await clear(pool)
        await apply(pool, [*order, *order[:2]])  # and two of them delivered again
        assert await copy_of(pool) == expected


async def test_a_batch_kept_at_once_is_the_copy_the_events_make_one_by_one(pool: Pool) -> None:
    """Batches with repeats, several events of one fact (two changes on one date, the
    registration and a change on its date, one leaving twice) and events that are not
    roster events: kept per batch, the copy is the one applying them one by one gives."""
    on_start = {"effective_on": START.isoformat(), "changed": ["team_id"]}
    same_facts = [
        roster_event("practitioner_details_changed", MOVED, EVENTS[1].data | details("c", "x"), 5),
        roster_event("practitioner_details_changed", START, on_start | details("sup-a", "s"), 6),
        roster_event("practitioner_left", LEFT, {"effective_on": LEFT.isoformat()}, 7),
    ]
    other = roster_event("practitioner_registered", START, details("sup-z", None), 8)
    other = other.model_copy(update={"type": event_type("certification", "policy_adopted", 1)})
    everything = [*EVENTS, *same_facts, other]
    draw = random.Random(5)
    for batch_size in (1, 3, len(everything) + 2):
        for _ in range(4):
            order = draw.sample(everything, len(everything))
            events = [*order, *order[:2]]
            await clear(pool)
            await apply(pool, events)
            expected = await copy_of(pool)
            await clear(pool)
            async with pool.acquire() as conn:
                for at in range(0, len(events), batch_size):
                    await keep_roster_events(conn, events[at : at + batch_size])
            assert await copy_of(pool) == expected


async def test_the_practitioner_is_on_the_roster_and_in_a_team_by_date(pool: Pool) -> None:
    await apply(pool, EVENTS)
    refusals: list[str] = []

    async def refused(on: date) -> bool:
        async with pool.acquire() as conn:
            try:
                await require_on_roster(conn, AGENCY, ["p-1"], on)
            except Problem as problem:
                refusals.append(problem.detail)
                return True
        return False

    async with pool.acquire() as conn:
        before_move = await entries_on(conn, AGENCY, MOVED - timedelta(days=1))
        after_move = await team_on(conn, AGENCY, "north", MOVED)
        while_away = await team_on(conn, AGENCY, "sup-b", LEFT + timedelta(days=3))
        [history] = await histories(conn, AGENCY)

    assert before_move["p-1"].supervisor_id == "sup-a"
    assert after_move is not None and after_move.member_ids == ("p-1",)
    assert while_away is None
    assert history.away == ((LEFT, BACK),)
    assert [await refused(d) for d in (START - timedelta(days=9), LEFT, BACK)] == [
        False,
        True,
        False,
    ]
    assert "left" in refusals[0]
    async with pool.acquire() as conn:
        with pytest.raises(Problem, match="'nobody' is not on agency agency-r's roster"):
            await require_on_roster(conn, AGENCY, ["p-1", "nobody"], BACK)


async def test_a_batch_of_dates_is_judged_as_the_refusal_judges_each_of_them(pool: Pool) -> None:
    # a leaving and a return on one day, besides the copy's period away
    same_day = date(2025, 10, 1)
    await apply(
        pool,
        [
            *EVENTS,
            roster_event("practitioner_left", same_day, {"effective_on": "2025-10-01"}, 4),
            roster_event("practitioner_returned", same_day, {"effective_on": "2025-10-01"}, 5),
        ],
    )
    days = [START - timedelta(days=9), START, LEFT - timedelta(days=1), LEFT, BACK, same_day]
    pairs = [(p, d) for p in ("p-1", "nobody") for d in days]

    refused: set[tuple[str, date]] = set()
    async with pool.acquire() as conn:
        for practitioner, day in pairs:
            try:
                await require_on_roster(conn, AGENCY, [practitioner], day)
            except Problem:
                refused.add((practitioner, day))
        batch = await off_roster(conn, AGENCY, pairs)

    assert batch == refused
    assert ("p-1", LEFT) in batch and ("p-1", BACK) not in batch
    assert ("p-1", same_day) not in batch and ("left", same_day) in await copy_of(pool)


async def test_the_check_of_one_practitioner_judges_as_the_refusal_on_one_generic_plan(
    pool: Pool,
) -> None:
    await apply(pool, EVENTS)
    days = [START - timedelta(days=9), START, LEFT - timedelta(days=1), LEFT, BACK]
    pairs = [(p, d) for p in ("p-1", "nobody") for d in days] * 2  # past PostgreSQL's 5 tries
    check = f"SELECT EXISTS ({ON_ROSTER_OF})"

    judged: list[tuple[bool, bool]] = []
    async with pool.acquire() as conn:
        for practitioner, day in pairs:
            on = await conn.fetchval(check, AGENCY, day, practitioner)
            try:
                await require_on_roster(conn, AGENCY, [practitioner], day)
                judged.append((on, True))
            except Problem:
                judged.append((on, False))
        plans = await conn.fetchval(
            "SELECT generic_plans FROM pg_prepared_statements WHERE statement = $1", check
        )

    assert all(on == allowed for on, allowed in judged)
    assert [on for on, _ in judged[:5]] == [True, True, True, False, True]
    assert plans > 0
