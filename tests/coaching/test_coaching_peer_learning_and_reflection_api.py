"""Peer-learning sessions and reflections through the API, and who reads reflection text."""

from __future__ import annotations

from datetime import date, timedelta

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
    iso,
    peer_session_body,
    reflection_body,
    refused,
)

IN_TEN_DAYS = date.today() + timedelta(days=10)


async def test_a_peer_session_is_recorded_and_published(
    api: CoachingApi, nats_client: Client
) -> None:
    body = peer_session_body(participant_ids=[OTHER_PRACTITIONER, PRACTITIONER, OTHER_PRACTITIONER])
    session = await api.created("/peer-sessions", body, api.as_(PRACTITIONER, "practitioner"))

    # the facilitator and repeats are dropped from the participants
    assert session["participant_ids"] == [OTHER_PRACTITIONER]
    [event] = await received_events(
        nats_client, f"{api.settings.subject_root}.coaching.{api.agency_id}.>", count=1
    )
    assert event.type == "org.miiwrap.coaching.peer_learning_session_held.v1"
    assert event.subject == PRACTITIONER
    assert event.data == {
        "session_id": session["id"],
        "facilitator_id": PRACTITIONER,
        "participant_ids": [OTHER_PRACTITIONER],
        "held_on": body["held_on"],
        "competencies": ["NAT"],
        "shared": body["shared"],
    }


async def test_an_invalid_peer_session_is_refused_with_what_to_fix(api: CoachingApi) -> None:
    for overrides, says in (
        ({"participant_ids": [PRACTITIONER]}, ("at least one participant besides",)),
        ({"held_on": iso(IN_TEN_DAYS)}, ("held_on", "in the future")),
        ({"shared": " "}, ("shared is empty",)),
        ({"competencies": ["XYZ"]}, ("competencies",)),
    ):
        await refused(
            api, "/peer-sessions", peer_session_body(**overrides), api.admin, status=422, says=says
        )


async def test_a_practitioner_records_only_peer_sessions_they_facilitated(
    api: CoachingApi,
) -> None:
    await refused(
        api,
        "/peer-sessions",
        peer_session_body(facilitator_id=OTHER_PRACTITIONER, participant_ids=[PRACTITIONER]),
        api.as_(PRACTITIONER, "practitioner"),
        status=403,
        says=("facilitator_id must be you",),
    )


async def test_a_practitioner_reads_the_peer_sessions_they_attended(api: CoachingApi) -> None:
    attended = await api.created("/peer-sessions", peer_session_body(), api.admin)
    elsewhere = await api.created(
        "/peer-sessions",
        peer_session_body(facilitator_id="prac-rae", participant_ids=["prac-sol"]),
        api.admin,
    )
    quinn = api.as_(OTHER_PRACTITIONER, "practitioner")

    listed = await api.get("/peer-sessions", quinn)

    assert [s["id"] for s in listed.json()["items"]] == [attended["id"]]
    assert (await api.get(f"/peer-sessions/{attended['id']}", quinn)).status_code == 200
    assert (await api.get(f"/peer-sessions/{elsewhere['id']}", quinn)).status_code == 404


async def test_a_reflection_is_published_without_its_text(
    api: CoachingApi, nats_client: Client
) -> None:
    reflection = await api.created(
        "/reflections", reflection_body(), api.as_(PRACTITIONER, "practitioner")
    )

    assert reflection["practitioner_id"] == PRACTITIONER
    assert reflection["text_visible"] is True
    [event] = await received_events(
        nats_client, f"{api.settings.subject_root}.coaching.{api.agency_id}.>", count=1
    )
    assert event.event_name == "reflection_recorded"
    assert event.data == {
        "reflection_id": reflection["id"],
        "practitioner_id": PRACTITIONER,
        "written_on": iso(days_ago(3)),
        "competency": "FAC",
    }


async def test_an_invalid_reflection_is_refused_with_what_to_fix(api: CoachingApi) -> None:
    pat = api.as_(PRACTITIONER, "practitioner")
    await refused(
        api, "/reflections", reflection_body(text="   "), pat, status=422, says=("text is empty",)
    )
    await refused(
        api,
        "/reflections",
        reflection_body(written_on=iso(IN_TEN_DAYS)),
        pat,
        status=422,
        says=("written_on", "in the future"),
    )
    await refused(
        api,
        "/reflections",
        reflection_body(practitioner_id=OTHER_PRACTITIONER),
        pat,
        status=403,
        says=("practitioner_id must be you",),
    )


async def test_reflection_text_is_read_only_by_its_author_their_coach_and_admins(
    api: CoachingApi,
) -> None:
    await api.assign()
    written = await api.created(
        "/reflections", reflection_body(), api.as_(PRACTITIONER, "practitioner")
    )
    path = f"/reflections/{written['id']}"

    readers = {
        "author": api.as_(PRACTITIONER, "practitioner"),
        "their coach": api.coach(COACH),
        "admin": api.admin,
    }
    for who, headers in readers.items():
        shown = (await api.get(path, headers)).json()
        assert shown["text"] == written["text"], who
    others = {
        "another coach": api.coach(OTHER_COACH),
        "supervisor": api.as_(SUPERVISOR, "supervisor"),
        "auditor": api.as_("aud-1", "auditor"),
    }
    for who, headers in others.items():
        listed = (await api.get("/reflections", headers)).json()["items"]
        assert [(r["id"], r["text"], r["text_visible"]) for r in listed] == [
            (written["id"], None, False)
        ], who
    quinn = api.as_(OTHER_PRACTITIONER, "practitioner")
    assert (await api.get(path, quinn)).status_code == 404
    assert (await api.get("/reflections", quinn, practitioner_id=PRACTITIONER)).status_code == 403


async def test_an_admin_may_import_a_reflection_on_a_practitioners_behalf(
    api: CoachingApi,
) -> None:
    imported = await api.created(
        "/reflections",
        reflection_body(practitioner_id=PRACTITIONER, written_on=iso(days_ago(900))),
        api.admin,
    )
    assert imported["practitioner_id"] == PRACTITIONER
    assert imported["written_on"] == iso(days_ago(900))
