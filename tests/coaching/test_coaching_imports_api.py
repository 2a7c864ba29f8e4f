"""Bulk import in coaching: assignments, plans, sessions and ratings in one NDJSON file."""

from __future__ import annotations

from typing import Any

from shared.testing.imports import finished_report, invalid_lines, ndjson, post_import
from tests.coaching.coaching_api import (
    COACH,
    PRACTITIONER,
    CoachingApi,
    assignment_body,
    goal_body,
    new_id,
    plan_body,
    rating_body,
    session_body,
)


def coaching_history() -> list[dict[str, Any]]:
    session = session_body(coach_id=COACH)
    return [
        {"kind": "assignment", "id": new_id(), **assignment_body()},
        {"kind": "plan", **plan_body(goal_body())},
        {"kind": "session", **session},
        {"kind": "rating", **rating_body(session["id"], rater_id=COACH)},
        {"kind": "rating", **rating_body(new_id(), rater_id=COACH, level="mastered")},
    ]


async def test_a_coaching_history_is_checked_then_stored_once(api: CoachingApi) -> None:
    await api.roster.ensure(PRACTITIONER)
    body = ndjson(coaching_history())

    checked = await post_import(api.client, api.admin, body, dry_run=True)
    nothing = await api.stored()
    stored = await post_import(api.client, api.admin, body)
    report = await finished_report(api.client, api.admin, stored.json()["id"])
    again = await post_import(api.client, api.admin, body)
    repeated = await finished_report(api.client, api.admin, again.json()["id"])

    assert (checked.json()["stored"], checked.json()["invalid"]) == (4, 1)
    assert set(nothing.values()) == {0}
    assert (report["stored"], report["invalid"]) == (4, 1)
    assert {k["kind"]: k["stored"] for k in report["kinds"]} == {
        "assignment": 1,
        "plan": 1,
        "session": 1,
        "rating": 1,
    }
    [error] = await invalid_lines(api.client, api.admin, report["id"])
    assert error["line"] == 5 and "level" in error["problem"]["detail"]
    assert (repeated["stored"], repeated["already_present"]) == (0, 4)
    counts = await api.stored()
    assert (counts["assignments"], counts["plans"], counts["sessions"], counts["ratings"]) == (
        1,
        1,
        1,
        1,
    )
