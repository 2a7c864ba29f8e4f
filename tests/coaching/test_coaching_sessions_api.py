"""Coaching sessions through the API: every validation rule, and the event on the wire."""

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
    CoachingApi,
    days_ago,
    goal_body,
    iso,
    plan_body,
    refused,
    session_body,
)


async def test_a_logged_session_arrives_on_jetstream_as_a_cloudevent(
    api: CoachingApi, nats_client: Client
) -> None:
    await api.assign(valid_from=iso(days_ago(60)))
    session = await api.log_session(
        held_on=iso(days_ago(7)),
        modality="live_coaching",
        components=["feedback", "observation", "practice"],
        competencies=["NEED", "FAC"],
    )

    [_, event] = await received_events(
        nats_client, f"{api.settings.subject_root}.coaching.{api.agency_id}.>", count=2
    )
    assert event.type == "org.miiwrap.coaching.coaching_session_held.v1"
    assert event.source == "/miiwrap/coaching"
    assert event.subject == PRACTITIONER
    assert event.agencyid == api.agency_id
    assert event.actor == f"{api.agency_id}/{COACH}"
    assert event.time.date() == days_ago(7)  # practice time, not recording time
    assert event.data == {
        "session_id": session["id"],
        "coach_id": COACH,
        "practitioner_id": PRACTITIONER,
        "held_on": iso(days_ago(7)),
        "duration_minutes": 60,
        "modality": "live_coaching",
        "components": ["observation", "practice", "feedback"],  # canonical order
        "competencies": ["FAC", "NEED"],
        "goal_ids": [],
    }  # the coach's notes stay in the service: they are not on the wire


async def test_a_repeated_session_returns_the_stored_one(api: CoachingApi) -> None:
    await api.assign()
    body = session_body()
    first = await api.post("/sessions", body, api.coach())
    again = await api.post("/sessions", body, api.coach())

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    await refused(
        api,
        "/sessions",
        body | {"duration_minutes": 90},
        api.coach(),
        status=409,
        says=("different content",),
    )


IN_TEN_DAYS = date.today() + timedelta(days=10)

INVALID_SESSIONS: list[tuple[str, dict[str, Any], tuple[str, ...]]] = [
    ("future date", {"held_on": iso(IN_TEN_DAYS)}, ("held_on", "in the future")),
    ("unknown component", {"components": ["practice", "coffee"]}, ("components", "observation")),
    ("no component", {"components": []}, ("components is empty", "feedback")),
    ("unknown competency", {"competencies": ["FAC", "XYZ"]}, ("competencies", "TRAN")),
    ("no competency", {"competencies": []}, ("competencies is empty",)),
    ("unknown modality", {"modality": "carrier_pigeon"}, ("modality", "live_coaching")),
    ("zero minutes", {"duration_minutes": 0}, ("duration_minutes", "1 to 480")),
    ("a whole day and more", {"duration_minutes": 600}, ("duration_minutes", "1 to 480")),
    ("goal without a plan", {"goal_ids": ["goal-x"]}, ("has no coaching plan",)),
    ("not a date", {"held_on": "yesterday"}, ("held_on",)),
    ("unknown field", {"mood": "great"}, ("mood",)),
    ("NUL in the notes", {"notes": "x\x00y"}, ("notes", "NUL")),
    ("control character in an id", {"practitioner_id": "prac\x01"}, ("control characters",)),
    ("before 1900", {"held_on": "1899-12-31"}, ("held_on", "1900-01-01")),
]


@pytest.mark.parametrize(
    ("overrides", "says"),
    [(o, s) for _, o, s in INVALID_SESSIONS],
    ids=[name for name, _, _ in INVALID_SESSIONS],
)
async def test_an_invalid_session_is_refused_with_what_to_fix(
    api: CoachingApi, overrides: dict[str, Any], says: tuple[str, ...]
) -> None:
    await api.assign()
    await refused(api, "/sessions", session_body(**overrides), api.coach(), status=422, says=says)


async def test_a_coach_not_assigned_on_the_session_date_is_refused(api: CoachingApi) -> None:
    await api.assign(valid_from=iso(days_ago(30)))

    await refused(
        api,
        "/sessions",
        session_body(held_on=iso(days_ago(40))),
        api.coach(),
        status=403,
        says=(f"{COACH} was not the assigned coach of {PRACTITIONER} on {iso(days_ago(40))}",),
    )
    await refused(
        api,
        "/sessions",
        session_body(practitioner_id=OTHER_PRACTITIONER),
        api.coach(),
        status=403,
        says=("was not the assigned coach",),
    )


async def test_the_assignment_in_force_on_the_practice_date_decides(api: CoachingApi) -> None:
    await api.assign(valid_from=iso(days_ago(100)))
    await api.created(
        "/assignments/hand-over",
        {
            "practitioner_id": PRACTITIONER,
            "new_coach_id": OTHER_COACH,
            "starts_on": iso(days_ago(20)),
        },
        api.admin,
    )

    before_hand_over = await api.log_session(held_on=iso(days_ago(30)))
    await refused(
        api,
        "/sessions",
        session_body(held_on=iso(days_ago(10))),
        api.coach(),
        status=403,
        says=("was not the assigned coach",),
    )
    after_hand_over = await api.log_session(OTHER_COACH, held_on=iso(days_ago(10)))

    assert before_hand_over["coach_id"] == COACH
    assert after_hand_over["coach_id"] == OTHER_COACH


async def test_a_coach_logs_as_themself_and_an_admin_may_log_on_their_behalf(
    api: CoachingApi,
) -> None:
    await api.assign()

    await refused(
        api,
        "/sessions",
        session_body(coach_id=OTHER_COACH),
        api.coach(),
        status=403,
        says=("coach_id must be you", "only an admin"),
    )
    on_behalf = await api.created("/sessions", session_body(coach_id=COACH), api.admin)
    assert on_behalf["coach_id"] == COACH
    await refused(
        api,
        "/sessions",
        session_body(),
        api.as_("someone", "observer"),
        status=403,
        says=("sessions.log needs one of the roles",),
    )


async def test_goals_touched_must_belong_to_the_practitioners_plan(api: CoachingApi) -> None:
    await api.assign()
    goal = goal_body()
    await api.created("/plans", plan_body(goal), api.coach())

    touched = await api.log_session(goal_ids=[goal["id"]])
    assert touched["goal_ids"] == [goal["id"]]
    await refused(
        api,
        "/sessions",
        session_body(goal_ids=["goal-elsewhere"]),
        api.coach(),
        status=422,
        says=("goal-elsewhere", "are not in"),
    )


async def test_sessions_are_listed_latest_first_and_filtered(api: CoachingApi) -> None:
    await api.assign()
    await api.assign(practitioner_id=OTHER_PRACTITIONER)
    for days in (30, 10, 20):
        await api.log_session(held_on=iso(days_ago(days)))
    await api.log_session(practitioner_id=OTHER_PRACTITIONER)

    first = await api.get("/sessions", api.admin, practitioner_id=PRACTITIONER, limit=2)
    rest = await api.get(
        "/sessions", api.admin, practitioner_id=PRACTITIONER, cursor=first.json()["next_cursor"]
    )
    recent = await api.get("/sessions", api.admin, held_from=iso(days_ago(25)))

    held = [s["held_on"] for s in first.json()["items"] + rest.json()["items"]]
    assert held == [iso(days_ago(10)), iso(days_ago(20)), iso(days_ago(30))]
    assert len(recent.json()["items"]) == 3
    by_other_coach = await api.get("/sessions", api.admin, coach_id=OTHER_COACH)
    assert by_other_coach.json()["items"] == []
    bad_cursor = await api.get("/sessions", api.admin, cursor="bm90LWEtY3Vyc29y")
    assert bad_cursor.status_code == 400


async def test_a_practitioner_reads_only_their_own_sessions(api: CoachingApi) -> None:
    await api.assign()
    await api.assign(practitioner_id=OTHER_PRACTITIONER)
    own = await api.log_session()
    other = await api.log_session(practitioner_id=OTHER_PRACTITIONER)
    pat = api.as_(PRACTITIONER, "practitioner")

    listed = await api.get("/sessions", pat)

    assert [s["id"] for s in listed.json()["items"]] == [own["id"]]
    assert (await api.get(f"/sessions/{own['id']}", pat)).status_code == 200
    assert (await api.get(f"/sessions/{other['id']}", pat)).status_code == 404
    stranger = api.as_("admin-zed", "admin", agency_id="agency-elsewhere")
    assert (await api.get(f"/sessions/{own['id']}", stranger)).status_code == 404
    partner = api.as_("lms-1", "lms_partner")
    assert (await api.get("/sessions", partner)).status_code == 403
