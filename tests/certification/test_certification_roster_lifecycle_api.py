"""The roster lifecycle over the API: changes, leaving and return, dated, idempotent, published."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date
from typing import Any

from nats.aio.client import Client

from shared.testing.jetstream import received_events
from tests.certification.certification_client import CertificationApi
from tests.certification.test_certification_clock import certified
from tests.certification.test_certification_rebuild import api_views, projections
from tests.certification.upstream import INDEPENDENT_OBSERVER


async def lifecycle(
    api: CertificationApi, practitioner_id: str, action: str, body: dict[str, Any]
) -> dict[str, Any]:
    response = await api.post(f"/practitioners/{practitioner_id}/{action}", body)
    assert response.status_code == 201, response.text
    entry: dict[str, Any] = response.json()
    return entry


async def members(api: CertificationApi, team_id: str, as_of: str) -> list[str]:
    response = await api.get(f"/teams/{team_id}", as_of=as_of)
    assert response.status_code == 200, response.text
    return [member["practitioner_id"] for member in response.json()["members"]]


async def listed(api: CertificationApi, **params: Any) -> list[str]:
    response = await api.get("/practitioners", **params)
    assert response.status_code == 200, response.text
    return [entry["practitioner_id"] for entry in response.json()["items"]]


async def test_a_supervisor_change_moves_the_practitioner_between_teams_on_its_date(
    certification: CertificationApi,
) -> None:
    await certification.register("pr-1")
    await certification.register("pr-2")

    entry = await lifecycle(
        certification,
        "pr-1",
        "changes",
        {"effective_on": "2025-06-02", "supervisor_id": "sup-2", "team_id": "east"},
    )

    assert (entry["supervisor_id"], entry["team_id"], entry["coach_id"]) == (
        "sup-2",
        "east",
        "coach-1",
    )
    assert [(c["kind"], c["effective_on"], c["changed"]) for c in entry["history"]] == [
        ("registered", "2025-01-06", []),
        ("details_changed", "2025-06-02", ["supervisor_id", "team_id"]),
    ]
    assert await members(certification, "sup-1", "2025-06-01") == ["pr-1", "pr-2"]
    # before the program start the registration holds: evidence from then counts too
    assert await members(certification, "sup-1", "2024-12-01") == ["pr-1", "pr-2"]
    assert await members(certification, "sup-1", "2025-06-02") == ["pr-2"]
    assert await members(certification, "sup-2", "2025-06-02") == ["pr-1"]
    assert await members(certification, "sup-2", "2025-06-01") == []
    east = (await certification.get("/teams/east")).json()
    assert (east["kinds"], east["as_of"]) == (["named"], "2026-01-10")
    teams = (await certification.get("/teams")).json()["items"]
    assert teams == [
        {"team_id": "east", "kind": "named", "member_count": 1},
        {"team_id": "sup-1", "kind": "supervisor", "member_count": 1},
        {"team_id": "sup-2", "kind": "supervisor", "member_count": 1},
    ]
    back_then = (await certification.get("/teams", as_of="2025-06-01")).json()["items"]
    assert back_then == [{"team_id": "sup-1", "kind": "supervisor", "member_count": 2}]
    assert await listed(certification, supervisor_id="sup-2") == ["pr-1"]
    assert await listed(certification, team_id="east") == ["pr-1"]
    assert await listed(certification, supervisor_id="sup-1") == ["pr-2"]


async def test_the_teams_list_is_paged_and_unknown_teams_are_not_found(
    certification: CertificationApi,
) -> None:
    await certification.register("pr-1")
    await lifecycle(
        certification, "pr-1", "changes", {"effective_on": "2025-06-02", "team_id": "east"}
    )

    first = (await certification.get("/teams", limit=1)).json()
    second = (await certification.get("/teams", limit=1, cursor=first["next_cursor"])).json()

    assert [t["team_id"] for t in first["items"] + second["items"]] == ["east", "sup-1"]
    assert second["next_cursor"] is None
    missing = await certification.get("/teams/nobody")
    assert missing.status_code == 404
    assert "no team nobody" in missing.json()["detail"]
    assert (await certification.get("/teams/sup-1", as_of="2026-01-11")).status_code == 422
    assert (await certification.get("/teams", "practitioner", subject="pr-1")).status_code == 403
    assert (await certification.get("/teams/sup-1", "coach")).status_code == 200


async def test_leaving_and_returning_take_the_practitioner_off_and_back_on_the_roster(
    certification: CertificationApi,
) -> None:
    await certification.register("pr-1")
    await certification.register("pr-2")

    left = await lifecycle(
        certification, "pr-1", "leaving", {"effective_on": "2025-09-01", "reason": "moved away"}
    )

    assert left["left_on"] == "2025-09-01"
    assert left["history"][-1] | {"recorded_at": None} == {
        "kind": "left",
        "effective_on": "2025-09-01",
        "changed": [],
        "role": "facilitator",
        "program_start": "2025-01-06",
        "coach_id": "coach-1",
        "supervisor_id": "sup-1",
        "team_id": None,
        "reason": "moved away",
        "recorded_at": None,
    }
    assert await listed(certification) == ["pr-2"]
    assert await listed(certification, include_left="true") == ["pr-1", "pr-2"]
    assert await members(certification, "sup-1", "2025-08-31") == ["pr-1", "pr-2"]
    assert await members(certification, "sup-1", "2025-09-01") == ["pr-2"]
    again = await certification.post("/practitioners/pr-1/leaving", {"effective_on": "2025-10-01"})
    assert again.status_code == 409
    assert "already left on 2025-09-01" in again.json()["detail"]
    changed = await certification.post(
        "/practitioners/pr-1/changes", {"effective_on": "2025-10-01", "team_id": "east"}
    )
    assert changed.status_code == 409
    assert "record their return" in changed.json()["detail"]

    back = await lifecycle(certification, "pr-1", "return", {"effective_on": "2025-11-03"})

    assert back["left_on"] is None
    assert [c["kind"] for c in back["history"]] == ["registered", "left", "returned"]
    assert await listed(certification) == ["pr-1", "pr-2"]
    assert await members(certification, "sup-1", "2025-10-01") == ["pr-2"]
    assert await members(certification, "sup-1", "2025-11-03") == ["pr-1", "pr-2"]
    twice = await certification.post("/practitioners/pr-1/return", {"effective_on": "2025-11-04"})
    assert twice.status_code == 409
    assert "has not left the roster" in twice.json()["detail"]


async def test_a_retry_with_the_same_id_answers_again_and_other_content_conflicts(
    certification: CertificationApi,
) -> None:
    await certification.register("pr-1")
    body = {"id": str(uuid.uuid4()), "effective_on": "2025-06-02", "coach_id": "coach-2"}

    first = await certification.post("/practitioners/pr-1/changes", body)
    repeat = await certification.post("/practitioners/pr-1/changes", dict(reversed(body.items())))

    assert (first.status_code, repeat.status_code) == (201, 200)
    assert repeat.json() == first.json()
    assert len(repeat.json()["history"]) == 2
    other = await certification.post("/practitioners/pr-1/changes", body | {"coach_id": "c-3"})
    assert other.status_code == 409
    assert "different content" in other.json()["detail"]
    elsewhere = await certification.post(
        "/practitioners/pr-1/leaving", {"id": body["id"], "effective_on": "2025-06-02"}
    )
    assert elsewhere.status_code == 409
    read = (await certification.get("/practitioners/pr-1")).json()
    assert (len(read["history"]), read["left_on"], read["coach_id"]) == (2, None, "coach-2")


async def test_bad_lifecycle_requests_are_refused_with_a_problem_and_store_nothing(
    certification: CertificationApi,
) -> None:
    await certification.register("pr-1")
    await lifecycle(
        certification, "pr-1", "changes", {"effective_on": "2025-03-03", "team_id": "a"}
    )
    refused = {
        "changes": [
            ({"effective_on": "2025-06-02", "team_id": "a"}, 422, "details as they are"),
            ({"effective_on": "2025-06-02"}, 422, "details as they are"),
            ({"effective_on": "2025-06-02", "program_start": "2025-07-01"}, 422, "program start"),
            ({"effective_on": "2025-03-02", "role": "coach"}, 422, "date order"),
            ({"effective_on": "2026-01-11", "role": "coach"}, 422, "effective_on"),
            ({"effective_on": "2025-06-02", "role": None}, 422, "role cannot be cleared"),
            ({"effective_on": "2025-06-02", "role": "wizard"}, 422, "role"),
            ({"effective_on": "2025-06-02", "colour": "red"}, 422, "colour"),
            ({"role": "coach"}, 422, "effective_on"),
        ],
        "leaving": [
            ({"effective_on": "2025-03-02"}, 422, "date order"),
            ({"effective_on": "2026-02-01"}, 422, "effective_on"),
        ],
        "return": [({"effective_on": "2025-06-02"}, 409, "has not left")],
    }
    for action, cases in refused.items():
        for body, status, words in cases:
            response = await certification.post(f"/practitioners/pr-1/{action}", body)
            assert response.status_code == status, (action, body, response.text)
            assert response.headers["content-type"] == "application/problem+json"
            assert words in response.json()["detail"], (action, body, response.json())
        unknown = await certification.post(
            f"/practitioners/nobody/{action}",
            {"effective_on": "2025-06-02", "role": "coach"}
            if action == "changes"
            else {"effective_on": "2025-06-02"},
        )
        assert unknown.status_code == 404
        assert "nobody" in unknown.json()["detail"]
    read = (await certification.get("/practitioners/pr-1")).json()
    assert len(read["history"]) == 2
    not_admin = await certification.post(
        "/practitioners/pr-1/leaving", {"effective_on": "2025-06-02"}, "supervisor"
    )
    assert not_admin.status_code == 403


async def test_roster_events_are_published_with_the_contract_payloads_on_their_dates(
    certification: CertificationApi, nats_client: Client
) -> None:
    await certification.post(
        "/practitioners",
        {
            "practitioner_id": "pr-1",
            "role": "facilitator",
            "program_start": "2025-01-06",
            "supervisor_id": "sup-1",
            "team_id": "east",
        },
    )
    await lifecycle(
        certification, "pr-1", "changes", {"effective_on": "2025-06-02", "role": "coach"}
    )
    await lifecycle(certification, "pr-1", "leaving", {"effective_on": "2025-09-01"})
    await lifecycle(certification, "pr-1", "return", {"effective_on": "2025-11-03"})

    subject = f"{certification.settings.subject_root}.certification.{certification.agency_id}.>"
    events = await received_events(nats_client, subject, count=4)

    assert [(e.type.split(".")[3], e.subject, e.time.date()) for e in events] == [
        ("practitioner_registered", "pr-1", date(2025, 1, 6)),
        ("practitioner_details_changed", "pr-1", date(2025, 6, 2)),
        ("practitioner_left", "pr-1", date(2025, 9, 1)),
        ("practitioner_returned", "pr-1", date(2025, 11, 3)),
    ]
    assert events[0].data["team_id"] == "east"
    assert events[1].data == {
        "practitioner_id": "pr-1",
        "effective_on": "2025-06-02",
        "changed": ["role"],
        "role": "coach",
        "coach_id": None,
        "supervisor_id": "sup-1",
        "team_id": "east",
        "program_start": "2025-01-06",
    }
    assert events[2].data == {
        "practitioner_id": "pr-1",
        "effective_on": "2025-09-01",
        "reason": None,
    }
    assert events[3].data == {"practitioner_id": "pr-1", "effective_on": "2025-11-03"}


async def test_while_away_the_clock_moves_no_level_and_the_return_day_judges_every_rule(
    certification: CertificationApi, nats_client: Client
) -> None:
    await certified(certification, nats_client, "pr-1")
    await lifecycle(certification, "pr-1", "leaving", {"effective_on": "2026-01-05"})

    await certification.tick(date(2026, 12, 5))  # at risk, then lapsed, had they stayed

    assert await certification.status("pr-1") == "certified"
    assert [t["kind"] for t in await certification.history("pr-1")] == ["granted"]
    await lifecycle(certification, "pr-1", "return", {"effective_on": "2026-12-03"})
    published = await certification.history("pr-1")
    assert [(t["kind"], t["effective_on"]) for t in published] == [
        ("granted", "2025-12-01"),
        ("lapsed", "2026-12-03"),  # over 365 days since the last qualifying observation
    ]


async def test_a_coach_change_reaches_the_evidence_and_can_take_a_grant_back(
    certification: CertificationApi, nats_client: Client
) -> None:
    await certified(certification, nats_client, "pr-1")

    # the grant-day observer becomes the coach from November: no independent observation
    await lifecycle(
        certification,
        "pr-1",
        "changes",
        {"effective_on": "2025-11-01", "coach_id": INDEPENDENT_OBSERVER},
    )

    assert await certification.status("pr-1") == "in_progress"
    state = await certification.state("pr-1")
    observations = next(
        r
        for r in state["levels"][0]["requirements"]
        if r["requirement"] == "qualifying_observations"
    )
    assert "only by the practitioner's coach" in observations["reason"]


async def test_rebuild_gives_the_same_roster_history_and_teams(
    certification: CertificationApi, nats_client: Client
) -> None:
    await certified(certification, nats_client, "pr-1")
    await certification.register("pr-2")
    key = str(uuid.uuid4())
    await lifecycle(
        certification,
        "pr-2",
        "changes",
        {"id": key, "effective_on": "2025-06-02", "supervisor_id": "sup-2", "coach_id": None},
    )
    await lifecycle(certification, "pr-2", "leaving", {"effective_on": "2025-09-01"})
    await lifecycle(certification, "pr-2", "return", {"effective_on": "2025-10-01"})
    await lifecycle(certification, "pr-1", "leaving", {"effective_on": "2026-01-02"})
    live_rows, live_views = await projections(certification), await api_views(certification)
    live_teams = (await certification.get("/teams", as_of="2025-09-15")).json()
    assert len(live_rows["roster_changes"]) == 6

    response = await certification.post("/projections/rebuild")

    assert response.status_code == 200, response.text
    assert response.json()["transitions_published"] == 0
    assert await projections(certification) == live_rows
    assert await api_views(certification) == live_views
    assert (await certification.get("/teams", as_of="2025-09-15")).json() == live_teams
    repeat = await certification.post(
        "/practitioners/pr-2/changes",
        {"id": key, "effective_on": "2025-06-02", "supervisor_id": "sup-2", "coach_id": None},
    )
    assert repeat.status_code == 200  # the client id survives the rebuild


async def test_concurrent_twins_are_stored_once(certification: CertificationApi) -> None:
    await certification.register("pr-1")
    await certification.register("pr-2")
    same = {"id": str(uuid.uuid4()), "effective_on": "2025-06-02", "team_id": "east"}
    shared_id = {"id": str(uuid.uuid4()), "effective_on": "2025-06-02"}

    twins = await asyncio.gather(
        *(certification.post("/practitioners/pr-1/changes", same) for _ in range(3))
    )
    rivals = await asyncio.gather(
        *(certification.post(f"/practitioners/{p}/leaving", shared_id) for p in ("pr-1", "pr-2"))
    )

    assert sorted(r.status_code for r in twins) == [200, 200, 201]
    assert sorted(r.status_code for r in rivals) == [201, 409]
    roster = (await certification.get("/practitioners", include_left="true")).json()["items"]
    assert [p["team_id"] for p in roster] == ["east", None]
    assert sorted(str(p["left_on"]) for p in roster) == ["2025-06-02", "None"]
    async with certification.runtime.pool.acquire() as conn:
        rows = await conn.fetchval(
            "SELECT count(*) FROM roster_changes WHERE agency_id = $1", certification.agency_id
        )
    assert rows == 4  # two registrations, one change, one leaving
