"""Coach assignments through the API: history kept, one coach at a time, hand-over."""

from __future__ import annotations

from datetime import timedelta

from nats.aio.client import Client

from shared.testing.jetstream import received_events
from tests.coaching.coaching_api import (
    COACH,
    OTHER_COACH,
    OTHER_PRACTITIONER,
    PRACTITIONER,
    CoachingApi,
    assignment_body,
    days_ago,
    iso,
    new_id,
    refused,
)


async def test_assigning_a_coach_publishes_coach_assigned(
    api: CoachingApi, nats_client: Client
) -> None:
    created = await api.assign(valid_from=iso(days_ago(30)))

    [event] = await received_events(
        nats_client, f"{api.settings.subject_root}.coaching.{api.agency_id}.>", count=1
    )
    assert event.type == "org.miiwrap.coaching.coach_assigned.v1"
    assert event.subject == PRACTITIONER
    assert event.data == {
        "assignment_id": created["id"],
        "coach_id": COACH,
        "practitioner_id": PRACTITIONER,
        "valid_from": iso(days_ago(30)),
        "valid_to": None,
    }


async def test_repeating_an_assignment_returns_the_stored_one_and_other_content_conflicts(
    api: CoachingApi,
) -> None:
    body = assignment_body(id=new_id())
    first = await api.post("/assignments", body, api.admin)
    again = await api.post("/assignments", body, api.admin)

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    await refused(
        api,
        "/assignments",
        body | {"coach_id": OTHER_COACH},
        api.admin,
        status=409,
        says=(body["id"], "different content"),
    )


async def test_an_overlapping_assignment_is_refused_and_names_the_one_to_end(
    api: CoachingApi,
) -> None:
    current = await api.assign(valid_from=iso(days_ago(100)))

    problem = await refused(
        api,
        "/assignments",
        assignment_body(coach_id=OTHER_COACH, valid_from=iso(days_ago(10))),
        api.admin,
        status=409,
        says=(f"already has coach {COACH}", current["id"], "hand the practitioner over"),
    )
    assert problem["errors"] == [
        {"field": "valid_from", "message": problem["errors"][0]["message"]}
    ]


async def test_an_assignment_ending_before_it_starts_is_refused(api: CoachingApi) -> None:
    await refused(
        api,
        "/assignments",
        assignment_body(valid_from=iso(days_ago(10)), valid_to=iso(days_ago(20))),
        api.admin,
        status=422,
        says=("valid_to", "before valid_from"),
    )


async def test_nobody_is_assigned_as_their_own_coach(api: CoachingApi) -> None:
    await refused(
        api,
        "/assignments",
        assignment_body(coach_id=PRACTITIONER),
        api.admin,
        status=422,
        says=("cannot be assigned as their own coach",),
    )


async def test_a_malformed_assignment_is_refused_with_the_field_to_fix(api: CoachingApi) -> None:
    body = assignment_body()
    del body["practitioner_id"]
    await refused(api, "/assignments", body, api.admin, status=422, says=("practitioner_id",))
    await refused(
        api,
        "/assignments",
        assignment_body(valid_from="last tuesday"),
        api.admin,
        status=422,
        says=("valid_from",),
    )


async def test_handing_over_ends_the_current_coach_the_day_before_and_keeps_history(
    api: CoachingApi, nats_client: Client
) -> None:
    first = await api.assign(valid_from=iso(days_ago(100)))
    starts_on = days_ago(20)

    body = {
        "id": new_id(),
        "practitioner_id": PRACTITIONER,
        "new_coach_id": OTHER_COACH,
        "starts_on": iso(starts_on),
    }
    handed = await api.created("/assignments/hand-over", body, api.admin)
    repeated = await api.post("/assignments/hand-over", body, api.admin)

    assert handed["ended"]["id"] == first["id"]
    assert handed["ended"]["valid_to"] == iso(starts_on - timedelta(days=1))
    assert handed["assigned"]["coach_id"] == OTHER_COACH
    assert (repeated.status_code, repeated.json()) == (200, handed)
    events = await received_events(
        nats_client, f"{api.settings.subject_root}.coaching.{api.agency_id}.>", count=3
    )
    assert [e.event_name for e in events] == [
        "coach_assigned",
        "coach_assignment_ended",
        "coach_assigned",
    ]
    newest = await api.get("/assignments", api.admin, practitioner_id=PRACTITIONER, limit=1)
    older = await api.get(
        "/assignments", api.admin, practitioner_id=PRACTITIONER, cursor=newest.json()["next_cursor"]
    )
    assert [a["coach_id"] for a in newest.json()["items"] + older.json()["items"]] == [
        OTHER_COACH,
        COACH,
    ]
    assert older.json()["next_cursor"] is None
    back_then = await api.get("/assignments", api.admin, active_on=iso(days_ago(50)))
    assert [a["coach_id"] for a in back_then.json()["items"]] == [COACH]


async def test_a_hand_over_without_a_current_coach_is_refused(api: CoachingApi) -> None:
    await refused(
        api,
        "/assignments/hand-over",
        {
            "practitioner_id": PRACTITIONER,
            "new_coach_id": OTHER_COACH,
            "starts_on": iso(days_ago(5)),
        },
        api.admin,
        status=409,
        says=("has no coach on", "assign a coach instead"),
    )


async def test_ending_an_assignment_records_its_last_day_once(api: CoachingApi) -> None:
    assignment = await api.assign(valid_from=iso(days_ago(100)))
    path = f"/assignments/{assignment['id']}/end"

    await refused(
        api,
        path,
        {"valid_to": iso(days_ago(101))},
        api.admin,
        status=422,
        says=("before the assignment started",),
    )
    ended = await api.post(path, {"valid_to": iso(days_ago(5))}, api.admin)
    repeated = await api.post(path, {"valid_to": iso(days_ago(5))}, api.admin)

    assert ended.status_code == repeated.status_code == 200
    assert ended.json()["valid_to"] == repeated.json()["valid_to"] == iso(days_ago(5))
    await refused(
        api,
        path,
        {"valid_to": iso(days_ago(4))},
        api.admin,
        status=409,
        says=("already ended",),
    )


async def test_another_agencys_assignment_is_not_found(api: CoachingApi) -> None:
    assignment = await api.assign()
    stranger = api.as_("admin-zed", "admin", agency_id="agency-elsewhere")

    assert (await api.get(f"/assignments/{assignment['id']}", stranger)).status_code == 404
    ending = await api.post(
        f"/assignments/{assignment['id']}/end", {"valid_to": iso(days_ago(1))}, stranger
    )
    assert ending.status_code == 404
    assert (await api.get("/assignments", stranger)).json()["items"] == []


async def test_only_admins_and_supervisors_assign_coaches(api: CoachingApi) -> None:
    for roles in (("coach",), ("practitioner",), ("lms_partner",), ("auditor",)):
        await refused(
            api,
            "/assignments",
            assignment_body(),
            api.as_("someone", *roles),
            status=403,
            says=("assignments.assign needs one of the roles: admin, supervisor",),
        )
    supervisor = await api.post("/assignments", assignment_body(), api.as_("sup-sam", "supervisor"))
    assert supervisor.status_code == 201


async def test_a_practitioner_reads_only_their_own_assignments(api: CoachingApi) -> None:
    await api.assign()
    other = await api.assign(practitioner_id=OTHER_PRACTITIONER)
    pat = api.as_(PRACTITIONER, "practitioner")

    own = await api.get("/assignments", pat)
    asked_for_other = await api.get("/assignments", pat, practitioner_id=OTHER_PRACTITIONER)

    assert [a["practitioner_id"] for a in own.json()["items"]] == [PRACTITIONER]
    assert asked_for_other.status_code == 403
    assert (await api.get(f"/assignments/{other['id']}", pat)).status_code == 404
