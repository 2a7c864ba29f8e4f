"""Skill ratings through the API: who may rate, what a rating rests on, goals it reaches."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from nats.aio.client import Client

from shared.testing.jetstream import received_events
from tests.coaching.coaching_api import (
    COACH,
    OTHER_COACH,
    OTHER_PRACTITIONER,
    PRACTITIONER,
    SUPERVISOR,
    CoachingApi,
    days_ago,
    goal_body,
    iso,
    plan_body,
    rating_body,
    refused,
)


async def coached(api: CoachingApi, held_days_ago: int = 10) -> dict[str, Any]:
    """PRACTITIONER assigned to COACH since 200 days ago, and one session with them."""
    await api.assign()
    return await api.log_session(held_on=iso(days_ago(held_days_ago)))


async def test_a_rating_arrives_on_jetstream_and_achieves_the_goals_it_reaches(
    api: CoachingApi, nats_client: Client
) -> None:
    await api.assign()
    reached, higher = goal_body(), goal_body(target_level="can_teach")
    plan = await api.created("/plans", plan_body(reached, higher), api.coach())
    session = await api.log_session()

    rating = await api.created("/ratings", rating_body(session["id"]), api.coach())

    assert rating["goals_achieved"] == [reached["id"]]
    events = await received_events(
        nats_client, f"{api.settings.subject_root}.coaching.{api.agency_id}.>", count=5
    )
    assert [e.event_name for e in events] == [
        "coach_assigned",
        "coaching_plan_set",
        "coaching_session_held",
        "skill_rated",
        "goal_achieved",
    ]
    rated, achieved = events[3], events[4]
    assert rated.type == "org.miiwrap.coaching.skill_rated.v1"
    assert rated.subject == PRACTITIONER
    assert rated.data == {
        "rating_id": rating["id"],
        "practitioner_id": PRACTITIONER,
        "rater_id": COACH,
        "competency": "FAC",
        "level": "independent",
        "rated_on": iso(days_ago(10)),
        "source_type": "session",
        "source_id": session["id"],
    }
    assert achieved.data["goal_id"] == reached["id"]
    assert achieved.data["rating_id"] == rating["id"]
    goals = (await api.get(f"/plans/{plan['id']}", api.coach())).json()["goals"]
    assert [(g["status"], g["achieved_by_rating_id"]) for g in goals] == [
        ("achieved", rating["id"]),
        ("open", None),
    ]


IN_TEN_DAYS = date.today() + timedelta(days=10)

INVALID_RATINGS: list[tuple[str, dict[str, Any], tuple[str, ...]]] = [
    ("unknown level", {"level": "expert"}, ("level", "can_teach")),
    ("unknown competency", {"competency": "XYZ"}, ("competency", "TRAN")),
    ("unknown source", {"source_type": "hearsay"}, ("source_type", "observation")),
    ("future date", {"rated_on": iso(IN_TEN_DAYS)}, ("rated_on", "in the future")),
    ("session never recorded", {"source_id": "not-a-session"}, ("is not recorded",)),
    ("before its session", {"rated_on": iso(days_ago(11))}, ("before session",)),
]


@pytest.mark.parametrize(
    ("overrides", "says"),
    [(o, s) for _, o, s in INVALID_RATINGS],
    ids=[name for name, _, _ in INVALID_RATINGS],
)
async def test_an_invalid_rating_is_refused_with_what_to_fix(
    api: CoachingApi, overrides: dict[str, Any], says: tuple[str, ...]
) -> None:
    session = await coached(api)
    await refused(
        api, "/ratings", rating_body(session["id"], **overrides), api.coach(), status=422, says=says
    )


async def test_a_rating_rests_on_a_session_of_the_same_practitioner(api: CoachingApi) -> None:
    await coached(api)
    await api.assign(practitioner_id=OTHER_PRACTITIONER)
    others = await api.log_session(practitioner_id=OTHER_PRACTITIONER)

    await refused(
        api,
        "/ratings",
        rating_body(others["id"]),
        api.coach(),
        status=422,
        says=(f"was with {OTHER_PRACTITIONER}, not {PRACTITIONER}",),
    )


async def test_a_coach_never_rates_themself(api: CoachingApi) -> None:
    await refused(
        api,
        "/ratings",
        rating_body("obs-1", practitioner_id=COACH, source_type="observation"),
        api.coach(),
        status=403,
        says=("cannot rate their own skills",),
    )


async def test_a_coach_rates_only_practitioners_assigned_to_them_on_the_rating_date(
    api: CoachingApi,
) -> None:
    assignment = await api.assign(valid_from=iso(days_ago(100)))
    session = await api.log_session(held_on=iso(days_ago(50)))
    await api.post(
        f"/assignments/{assignment['id']}/end", {"valid_to": iso(days_ago(40))}, api.admin
    )

    on_the_day = await api.created(
        "/ratings", rating_body(session["id"], rated_on=iso(days_ago(45))), api.coach()
    )
    assert on_the_day["rater_id"] == COACH
    await refused(
        api,
        "/ratings",
        rating_body(session["id"], rated_on=iso(days_ago(30))),
        api.coach(),
        status=403,
        says=(f"was not the assigned coach of {PRACTITIONER} on {iso(days_ago(30))}",),
    )
    await refused(
        api,
        "/ratings",
        rating_body(session["id"]),
        api.coach(OTHER_COACH),
        status=403,
        says=(f"{OTHER_COACH} was not the assigned coach",),
    )


async def test_the_rater_is_the_caller_unless_an_admin_names_one(api: CoachingApi) -> None:
    session = await coached(api)

    await refused(
        api,
        "/ratings",
        rating_body(session["id"], rater_id=OTHER_COACH),
        api.coach(),
        status=403,
        says=("rater_id must be you",),
    )
    on_behalf = await api.created("/ratings", rating_body(session["id"], rater_id=COACH), api.admin)
    assert on_behalf["rater_id"] == COACH
    await refused(
        api,
        "/ratings",
        rating_body(session["id"]),
        api.admin,
        status=403,
        says=("admin-ada was not the assigned coach",),
    )


async def test_a_supervisor_may_rate_without_being_the_assigned_coach(api: CoachingApi) -> None:
    session = await coached(api)
    rating = await api.created(
        "/ratings", rating_body(session["id"]), api.as_(SUPERVISOR, "supervisor")
    )
    assert rating["rater_id"] == SUPERVISOR


async def test_the_skill_profile_shows_the_latest_rating_per_competency(api: CoachingApi) -> None:
    session = await coached(api, held_days_ago=30)
    for level, days in (("with_support", 30), ("independent", 5)):
        await api.created(
            "/ratings",
            rating_body(session["id"], level=level, rated_on=iso(days_ago(days))),
            api.coach(),
        )
    await api.created(
        "/ratings", rating_body(session["id"], competency="ENG", level="can_teach"), api.coach()
    )

    now = (await api.get(f"/practitioners/{PRACTITIONER}/skills", api.coach())).json()
    then = (
        await api.get(f"/practitioners/{PRACTITIONER}/skills", api.coach(), as_of=iso(days_ago(20)))
    ).json()

    assert [(s["competency"], s["level"]) for s in now["levels"]] == [
        ("ENG", "can_teach"),
        ("FAC", "independent"),
    ]
    assert [(s["competency"], s["level"]) for s in then["levels"]] == [("FAC", "with_support")]
    standing = now["levels"][1]["rating_id"]
    pat = api.as_(PRACTITIONER, "practitioner")
    assert (await api.get(f"/ratings/{standing}", pat)).json()["level"] == "independent"
    assert (
        await api.get(f"/ratings/{standing}", api.as_("prac-x", "practitioner"))
    ).status_code == 404
    mine = await api.get(
        f"/practitioners/{PRACTITIONER}/skills", api.as_(PRACTITIONER, "practitioner")
    )
    theirs = await api.get(
        f"/practitioners/{OTHER_PRACTITIONER}/skills", api.as_(PRACTITIONER, "practitioner")
    )
    assert (mine.status_code, theirs.status_code) == (200, 403)
    future = await api.get(
        f"/practitioners/{PRACTITIONER}/skills", api.coach(), as_of=iso(IN_TEN_DAYS)
    )
    assert future.status_code == 422


async def test_ratings_are_listed_latest_first(api: CoachingApi) -> None:
    session = await coached(api, held_days_ago=30)
    for days in (30, 5, 20):
        await api.created(
            "/ratings", rating_body(session["id"], rated_on=iso(days_ago(days))), api.coach()
        )

    first = await api.get("/ratings", api.coach(), practitioner_id=PRACTITIONER, limit=2)
    rest = await api.get("/ratings", api.coach(), cursor=first.json()["next_cursor"])

    rated = [r["rated_on"] for r in first.json()["items"] + rest.json()["items"]]
    assert rated == [iso(days_ago(5)), iso(days_ago(20)), iso(days_ago(30))]
