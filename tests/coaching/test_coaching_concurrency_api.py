"""Concurrent writes: one coach at a time holds under a race, and racing repeats of one
create store it once."""

from __future__ import annotations

import asyncio

from tests.coaching.coaching_api import (
    COACH,
    OTHER_COACH,
    CoachingApi,
    assignment_body,
    days_ago,
    iso,
    session_body,
)


async def test_racing_assignments_of_two_coaches_leave_one_coach(api: CoachingApi) -> None:
    responses = await asyncio.gather(
        *(
            api.post("/assignments", assignment_body(coach_id=coach), api.admin)
            for coach in (COACH, OTHER_COACH, COACH, OTHER_COACH)
        )
    )

    assert sorted(r.status_code for r in responses) == [201, 409, 409, 409]
    assert (await api.stored())["assignments"] == 1


async def test_racing_repeats_of_one_session_store_it_once(api: CoachingApi) -> None:
    await api.assign(valid_from=iso(days_ago(100)))
    body = session_body()

    responses = await asyncio.gather(*(api.post("/sessions", body, api.coach()) for _ in range(5)))

    assert sorted(r.status_code for r in responses) == [200, 200, 200, 200, 201]
    assert {r.json()["id"] for r in responses} == {body["id"]}
    stored = await api.stored()
    assert (stored["sessions"], stored["events"]) == (1, 2)  # the assignment and the session
