"""Coaching plans through the API: one per practitioner, goals that open and close once."""

from __future__ import annotations

from nats.aio.client import Client

from shared.testing.jetstream import received_events
from tests.coaching.coaching_api import (
    COACH,
    OTHER_COACH,
    PRACTITIONER,
    CoachingApi,
    days_ago,
    goal_body,
    iso,
    new_id,
    plan_body,
    refused,
)


async def test_a_plan_is_set_with_open_goals_and_published(
    api: CoachingApi, nats_client: Client
) -> None:
    await api.assign()
    goal = goal_body(competency="SAFE", target_level="with_support")
    body = plan_body(goal)

    first = await api.post("/plans", body, api.coach())
    again = await api.post("/plans", body, api.coach())

    assert (first.status_code, again.status_code) == (201, 200)
    plan = first.json()
    assert plan["practitioner_id"] == PRACTITIONER
    assert plan["goals"] == [
        {
            "id": goal["id"],
            "competency": "SAFE",
            "target_level": "with_support",
            "description": goal["description"],
            "status": "open",
            "closed_on": None,
            "achieved_by_rating_id": None,
        }
    ]
    [_, event] = await received_events(
        nats_client, f"{api.settings.subject_root}.coaching.{api.agency_id}.>", count=2
    )
    assert event.event_name == "coaching_plan_set"
    assert event.data["plan_id"] == plan["id"]
    assert event.data["goals"][0]["status"] == "open"


async def test_a_practitioner_has_one_plan(api: CoachingApi) -> None:
    await api.assign()
    plan = await api.created("/plans", plan_body(goal_body()), api.coach())

    await refused(
        api,
        "/plans",
        plan_body(goal_body()),
        api.coach(),
        status=409,
        says=(f"already has coaching plan {plan['id']}", f"POST /plans/{plan['id']}/goals"),
    )


async def test_an_invalid_goal_is_refused_with_what_to_fix(api: CoachingApi) -> None:
    await api.assign()
    await refused(
        api,
        "/plans",
        plan_body(goal_body(target_level="not_yet")),
        api.coach(),
        status=422,
        says=("target_level", "not_yet cannot be a goal"),
    )
    await refused(
        api,
        "/plans",
        plan_body(goal_body(competency="COOKING")),
        api.coach(),
        status=422,
        says=("competency",),
    )
    await refused(
        api,
        "/plans",
        plan_body(goal_body(description="  ")),
        api.coach(),
        status=422,
        says=("description is empty",),
    )


async def test_goals_are_added_and_closed_once(api: CoachingApi) -> None:
    await api.assign()
    plan = await api.created("/plans", plan_body(), api.coach())
    goal = goal_body(competency="NAT")
    goals_path = f"/plans/{plan['id']}/goals"

    added = await api.post(goals_path, goal, api.coach())
    repeated = await api.post(goals_path, goal, api.coach())
    assert (added.status_code, repeated.status_code) == (201, 200)
    await refused(
        api,
        goals_path,
        goal | {"target_level": "can_teach"},
        api.coach(),
        status=409,
        says=("different content",),
    )

    status_path = f"{goals_path}/{goal['id']}/status"
    dropped = await api.post(
        status_path, {"status": "dropped", "on_date": iso(days_ago(2))}, api.coach()
    )
    assert dropped.status_code == 200
    [closed] = dropped.json()["goals"]
    assert (closed["status"], closed["closed_on"]) == ("dropped", iso(days_ago(2)))
    repeated = await api.post(
        status_path, {"status": "dropped", "on_date": iso(days_ago(2))}, api.coach()
    )
    assert (repeated.status_code, repeated.json()) == (200, dropped.json())
    await refused(
        api,
        status_path,
        {"status": "achieved", "on_date": iso(days_ago(1))},
        api.coach(),
        status=409,
        says=("cannot go from dropped to achieved",),
    )
    await refused(
        api,
        f"{goals_path}/no-such-goal/status",
        {"status": "dropped", "on_date": iso(days_ago(1))},
        api.coach(),
        status=404,
        says=("has no goal no-such-goal",),
    )


async def test_a_goal_achieved_by_hand_is_published_without_a_rating(
    api: CoachingApi, nats_client: Client
) -> None:
    await api.assign()
    goal = goal_body()
    plan = await api.created("/plans", plan_body(goal), api.coach())

    await api.post(
        f"/plans/{plan['id']}/goals/{goal['id']}/status",
        {"status": "achieved", "on_date": iso(days_ago(1))},
        api.coach(),
    )

    events = await received_events(
        nats_client, f"{api.settings.subject_root}.coaching.{api.agency_id}.>", count=3
    )
    assert events[-1].event_name == "goal_achieved"
    assert events[-1].data["rating_id"] is None
    assert events[-1].data["achieved_on"] == iso(days_ago(1))


async def test_only_the_assigned_coach_or_a_manager_changes_a_plan(api: CoachingApi) -> None:
    await api.assign()

    await refused(
        api,
        "/plans",
        plan_body(),
        api.coach(OTHER_COACH),
        status=403,
        says=(f"{OTHER_COACH} is not the coach of {PRACTITIONER} today",),
    )
    plan = await api.created("/plans", plan_body(), api.as_("sup-sam", "supervisor"))
    await refused(
        api,
        f"/plans/{plan['id']}/goals",
        goal_body(),
        api.coach(OTHER_COACH),
        status=403,
        says=("is not the coach",),
    )
    assert (
        await api.post(f"/plans/{plan['id']}/goals", goal_body(), api.coach(COACH))
    ).status_code == 201


async def test_plans_are_read_within_the_agency_and_by_their_practitioner(api: CoachingApi) -> None:
    await api.assign()
    plan = await api.created("/plans", plan_body(goal_body()), api.coach())

    listed = await api.get("/plans", api.as_("aud-1", "auditor"), practitioner_id=PRACTITIONER)
    assert [p["id"] for p in listed.json()["items"]] == [plan["id"]]
    assert (
        await api.get(f"/plans/{plan['id']}", api.as_(PRACTITIONER, "practitioner"))
    ).status_code == 200
    assert (
        await api.get(f"/plans/{plan['id']}", api.as_("prac-other", "practitioner"))
    ).status_code == 404
    stranger = api.as_("admin-zed", "admin", agency_id="agency-elsewhere")
    assert (await api.get(f"/plans/{plan['id']}", stranger)).status_code == 404
    assert (await api.get(f"/plans/{new_id()}", api.admin)).status_code == 404
