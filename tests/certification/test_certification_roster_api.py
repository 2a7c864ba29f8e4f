"""The roster: registration published for the other services, listing by status, access."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import pytest
from fastapi import Request
from nats.aio.client import Client

from services.certification.entrypoints.roster import BOARD_PAGES
from services.certification.models.roster import PractitionerPublic
from shared import lean_route
from shared.service import get_runtime
from shared.testing.jetstream import received_events
from tests.certification.certification_client import CertificationApi
from tests.certification.test_certification_clock import certified


async def test_registering_publishes_practitioner_registered_for_the_other_services(
    certification: CertificationApi, nats_client: Client
) -> None:
    entry = await certification.register("pr-1", role="supervisor")
    assert entry["levels"][0] == {
        "level": "facilitator",
        "status": "in_progress",
        "since": None,
        "certified_on": None,
        "at_risk_since": None,
    }
    subject = f"{certification.settings.subject_root}.certification.{certification.agency_id}.>"
    [event] = await received_events(nats_client, subject, count=1)
    assert event.type == "org.miiwrap.certification.practitioner_registered.v1"
    assert event.data == {
        "practitioner_id": "pr-1",
        "role": "supervisor",
        "program_start": "2025-01-06",
        "coach_id": "coach-1",
        "supervisor_id": "sup-1",
        "team_id": None,
    }


async def test_a_repeat_registration_is_harmless_and_a_different_one_conflicts(
    certification: CertificationApi,
) -> None:
    body = {"practitioner_id": "pr-1", "role": "facilitator", "program_start": "2025-01-06"}
    assert (await certification.post("/practitioners", body)).status_code == 201
    assert (await certification.post("/practitioners", body)).status_code == 200
    changed = await certification.post("/practitioners", body | {"role": "coach"})
    assert changed.status_code == 409
    assert "already registered" in changed.json()["detail"]


async def test_bad_registrations_are_refused_and_nothing_is_stored(
    certification: CertificationApi,
) -> None:
    bad = [
        {"practitioner_id": "pr-1", "role": "facilitator", "program_start": "2026-03-01"},
        {"practitioner_id": "pr-1", "role": "wizard", "program_start": "2025-01-06"},
        {"practitioner_id": "a/b", "role": "facilitator", "program_start": "2025-01-06"},
        {"practitioner_id": "pr-1", "role": "facilitator"},
        {"practitioner_id": "pr-1", "role": "facilitator", "program_start": "0001-01-01"},
    ]
    for body in bad:
        response = await certification.post("/practitioners", body)
        assert response.status_code == 422, body
        assert response.headers["content-type"] == "application/problem+json"
    assert "program_start" in (await certification.post("/practitioners", bad[0])).json()["detail"]
    assert (await certification.get("/practitioners")).json()["items"] == []


async def test_the_roster_is_filtered_by_status_and_paged(
    certification: CertificationApi, nats_client: Client
) -> None:
    await certified(certification, nats_client, "pr-a")
    for practitioner_id in ("pr-b", "pr-c"):
        await certification.register(practitioner_id, program_start=date(2025, 6, 1))

    certified_ids = await certification.get(
        "/practitioners", status="certified", level="facilitator"
    )
    assert [p["practitioner_id"] for p in certified_ids.json()["items"]] == ["pr-a"]
    first = (await certification.get("/practitioners", status="in_progress", limit=1)).json()
    second = (
        await certification.get(
            "/practitioners", status="in_progress", limit=1, cursor=first["next_cursor"]
        )
    ).json()
    assert [p["practitioner_id"] for p in first["items"] + second["items"]] == ["pr-b", "pr-c"]
    assert second["next_cursor"] is None
    bad = await certification.get("/practitioners", status="famous")
    assert bad.status_code == 422


async def test_board_pages_asked_together_answer_alike_and_a_later_ask_sees_a_new_entry(
    certification: CertificationApi,
) -> None:
    """Identical pages asked at once may share a query (shared/shared_reads.py); one asked
    after a registration was answered still lists it."""
    await certification.register("pr-a")
    together = await asyncio.gather(*(certification.get("/practitioners") for _ in range(8)))
    assert {answer.status_code for answer in together} == {200}
    assert len({answer.content for answer in together}) == 1
    assert [p["practitioner_id"] for p in together[0].json()["items"]] == ["pr-a"]
    await certification.register("pr-b")
    after = await asyncio.gather(*(certification.get("/practitioners") for _ in range(8)))
    for answer in after:
        assert [p["practitioner_id"] for p in answer.json()["items"]] == ["pr-a", "pr-b"]
    assert BOARD_PAGES.open_groups() == 0


async def test_the_roster_is_filtered_by_supervisor_and_team_and_paged_within_them(
    certification: CertificationApi,
) -> None:
    """Each filter, alone and together, and a cursor inside a filtered list."""
    teams = {"pr-a": ("sup-1", "red"), "pr-b": ("sup-2", "red"), "pr-c": ("sup-1", None)}
    teams |= {"pr-d": ("sup-1", "red")}
    for practitioner_id, (supervisor_id, team_id) in teams.items():
        body = {"practitioner_id": practitioner_id, "role": "facilitator"}
        body |= {"program_start": "2025-01-06", "supervisor_id": supervisor_id}
        response = await certification.post("/practitioners", body | {"team_id": team_id})
        assert response.status_code == 201, response.text

    async def listed(**params: Any) -> list[str]:
        page = (await certification.get("/practitioners", **params)).json()
        return [p["practitioner_id"] for p in page["items"]]

    assert await listed(supervisor_id="sup-1") == ["pr-a", "pr-c", "pr-d"]
    assert await listed(team_id="red") == ["pr-a", "pr-b", "pr-d"]
    assert await listed(supervisor_id="sup-1", team_id="red") == ["pr-a", "pr-d"]
    assert await listed(supervisor_id="sup-1", team_id="red", status="in_progress") == [
        "pr-a",
        "pr-d",
    ]
    assert await listed(supervisor_id="sup-2", status="certified") == []
    first = (await certification.get("/practitioners", team_id="red", limit=2)).json()
    rest = await listed(team_id="red", limit=2, cursor=first["next_cursor"])
    assert [p["practitioner_id"] for p in first["items"]] + rest == ["pr-a", "pr-b", "pr-d"]


async def test_a_listed_entry_is_the_response_model_and_equals_the_entry_read_alone(
    certification: CertificationApi, nats_client: Client
) -> None:
    """The list's items are built by PostgreSQL: held here to the model's exact JSON."""
    await certified(certification, nats_client, "pr-a")
    await certification.register("pr-b", program_start=date(2025, 6, 1))
    listed = (await certification.get("/practitioners")).json()
    assert listed["next_cursor"] is None
    assert [item["practitioner_id"] for item in listed["items"]] == ["pr-a", "pr-b"]
    for item in listed["items"]:
        assert PractitionerPublic.model_validate(item).model_dump(mode="json") == item
        alone = (await certification.get(f"/practitioners/{item['practitioner_id']}")).json()
        assert item == {key: value for key, value in alone.items() if key != "history"}
    certified_entry = listed["items"][0]["levels"][0]
    assert certified_entry["status"] == "certified" and certified_entry["certified_on"]


async def test_the_lean_answers_are_the_declared_routes_answers_byte_for_byte(
    certification: CertificationApi, nats_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Today's state and a roster page are answered before FastAPI resolves the routes'
    dependencies (shared/lean_route.py); with an override installed only the declared
    routes answer: the same requests get the same status, type and bytes either way."""
    await certified(certification, nats_client, "pr-a")
    await certification.register("pr-b", program_start=date(2025, 6, 1))
    first = (await certification.get("/practitioners", limit=1)).json()
    asks: list[tuple[str, str, dict[str, Any]]] = [
        ("/practitioners/pr-a/certification", "admin", {}),
        ("/practitioners/pr-b/certification", "practitioner", {"subject": "pr-b"}),
        ("/practitioners/pr-a/certification", "practitioner", {"subject": "pr-b"}),
        ("/practitioners/pr-a/certification", "observer", {}),
        ("/practitioners/pr-z/certification", "admin", {}),
        ("/practitioners/pr-a/certification", "admin", {"as_of": "2025-11-30"}),
        ("/practitioners", "admin", {}),
        ("/practitioners", "admin", {"limit": 1, "cursor": first["next_cursor"]}),
        ("/practitioners", "admin", {"limit": 0}),
        ("/practitioners", "admin", {"cursor": "nonsense"}),
        ("/practitioners", "practitioner", {"subject": "pr-b"}),
    ]
    permitted: list[str] = []
    checked = lean_route.permitted

    async def counted(request: Request, *args: Any) -> Any:
        principal = await checked(request, *args)
        if principal is not None:
            permitted.append(request.url.path)
        return principal

    monkeypatch.setattr(lean_route, "permitted", counted)
    lean = [await certification.get(path, role, **params) for path, role, params in asks]
    assert len(permitted) == 9  # all but the observer and the practitioner listing the roster
    certification.app.dependency_overrides[get_runtime] = get_runtime
    try:
        declared = [await certification.get(path, role, **params) for path, role, params in asks]
    finally:
        certification.app.dependency_overrides.clear()
    assert len(permitted) == 9
    for ask, one, other in zip(asks, lean, declared, strict=True):
        assert one.status_code == other.status_code, ask
        assert one.headers["content-type"] == other.headers["content-type"], ask
        assert one.content == other.content, ask
    assert [answer.status_code for answer in lean] == [
        *(200, 200, 403, 403, 404, 200),
        *(200, 200, 422, 400, 403),
    ]


async def test_a_practitioner_reads_only_their_own_certification(
    certification: CertificationApi,
) -> None:
    await certification.register("pr-1")
    await certification.register("pr-2")
    own = await certification.get(
        "/practitioners/pr-1/certification", "practitioner", subject="pr-1"
    )
    assert own.status_code == 200
    other = await certification.get(
        "/practitioners/pr-2/certification", "practitioner", subject="pr-1"
    )
    assert other.status_code == 403
    roster = await certification.get("/practitioners", "practitioner", subject="pr-1")
    assert roster.status_code == 403
    observer = await certification.get("/practitioners/pr-1/certification", "observer")
    assert observer.status_code == 403


async def test_another_agencys_practitioner_is_not_found(certification: CertificationApi) -> None:
    await certification.register("pr-1")
    for path in (
        "/practitioners/pr-1",
        "/practitioners/pr-1/certification",
        "/practitioners/pr-1/transitions",
    ):
        response = await certification.get(path, "auditor", agency="other-agency")
        assert response.status_code == 404, path
    listed = await certification.get("/practitioners", "auditor", agency="other-agency")
    assert listed.json()["items"] == []


async def test_the_state_as_of_a_past_date_and_never_a_future_one(
    certification: CertificationApi, nats_client: Client
) -> None:
    await certified(certification, nats_client, "pr-1")
    before = await certification.state("pr-1", as_of="2025-11-30")
    facilitator = before["levels"][0]
    assert facilitator["status"] == "in_progress"
    unmet = [r["requirement"] for r in facilitator["requirements"] if not r["met"]]
    assert unmet == ["qualifying_observations"]
    assert (await certification.state("pr-1", as_of="2025-12-01"))["levels"][0]["status"] == (
        "certified"
    )
    future = await certification.get("/practitioners/pr-1/certification", as_of="2026-01-11")
    assert future.status_code == 422
    assert "as_of" in future.json()["detail"]
    for nonsense in ("0001-01-01", "yesterday"):
        response = await certification.get("/practitioners/pr-1/certification", as_of=nonsense)
        assert response.status_code == 422, nonsense
