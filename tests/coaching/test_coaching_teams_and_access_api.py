"""Teams, the role matrix at the edge, and the OpenAPI document."""

from __future__ import annotations

import pytest
from nats.aio.client import Client

from shared.testing.jetstream import received_events
from tests.coaching.coaching_api import (
    OTHER_PRACTITIONER,
    PRACTITIONER,
    SUPERVISOR,
    CoachingApi,
    new_id,
)


async def test_a_team_is_set_replaced_and_read_but_never_published(
    api: CoachingApi, nats_client: Client
) -> None:
    path = f"/teams/{SUPERVISOR}"
    first = await api.client.put(path, json={"practitioner_ids": [PRACTITIONER]}, headers=api.admin)
    same = await api.client.put(path, json={"practitioner_ids": [PRACTITIONER]}, headers=api.admin)
    replaced = await api.client.put(
        path, json={"practitioner_ids": [OTHER_PRACTITIONER, PRACTITIONER]}, headers=api.admin
    )

    assert (first.status_code, same.status_code, replaced.status_code) == (201, 200, 200)
    assert (await api.stored())["events"] == 2  # the repeat changed nothing
    team = (await api.get(path, api.as_(SUPERVISOR, "supervisor"))).json()
    assert team["practitioner_ids"] == [OTHER_PRACTITIONER, PRACTITIONER]
    await api.assign()
    published = await received_events(
        nats_client, f"{api.settings.subject_root}.coaching.{api.agency_id}.>", count=1
    )
    assert [e.event_name for e in published] == ["coach_assigned"]  # team_set stays inside


async def test_a_team_is_refused_when_it_lists_its_supervisor_or_a_caller_is_no_admin(
    api: CoachingApi,
) -> None:
    path = f"/teams/{SUPERVISOR}"
    itself = await api.client.put(path, json={"practitioner_ids": [SUPERVISOR]}, headers=api.admin)
    by_supervisor = await api.client.put(
        path, json={"practitioner_ids": [PRACTITIONER]}, headers=api.as_(SUPERVISOR, "supervisor")
    )

    assert itself.status_code == 422
    assert "themself" in itself.json()["detail"]
    assert by_supervisor.status_code == 403
    assert (await api.stored())["events"] == 0


READS = [
    "/assignments",
    "/plans",
    "/sessions",
    "/ratings",
    "/peer-sessions",
    "/reflections",
    "/teams",
    "/roster",
    "/culture",
    f"/practitioners/{PRACTITIONER}/skills",
    f"/sessions/{new_id()}",
]


@pytest.mark.parametrize("role", ["lms_partner", "observer"])
async def test_roles_outside_coaching_read_nothing(api: CoachingApi, role: str) -> None:
    headers = api.as_("outsider", role)
    for path in READS:
        response = await api.get(path, headers)
        assert response.status_code == 403, path
        assert response.headers["content-type"] == "application/problem+json"


async def test_an_auditor_reads_everything_in_its_agency_and_writes_nothing(
    api: CoachingApi,
) -> None:
    auditor = api.as_("aud-1", "auditor")
    for path in READS[:-1]:
        assert (await api.get(path, auditor)).status_code == 200, path
    assert (await api.post("/sessions", {}, auditor)).status_code == 403


async def test_unstorable_query_values_are_refused_not_crashed_on(api: CoachingApi) -> None:
    for path, params, status in (
        ("/sessions", {"practitioner_id": "a\x00b"}, 422),
        ("/culture", {"as_of": "0001-01-02"}, 422),
        ("/sessions", {"cursor": "W1siYSJdXQ=="}, 400),  # a cursor of another shape
    ):
        response = await api.get(path, api.admin, **params)
        assert response.status_code == status, (path, response.text)
        assert response.headers["content-type"] == "application/problem+json"


async def test_a_request_without_a_token_is_unauthorized(api: CoachingApi) -> None:
    response = await api.client.get("/sessions")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


async def test_the_openapi_document_shows_examples_and_problem_responses(
    api: CoachingApi,
) -> None:
    document = (await api.client.get("/openapi.json")).json()
    schemas = document["components"]["schemas"]

    for model in (
        "AssignmentCreate",
        "PlanCreate",
        "SessionCreate",
        "RatingCreate",
        "PeerSessionCreate",
        "ReflectionCreate",
        "CultureIndicatorsPublic",
    ):
        assert schemas[model].get("examples"), model
    post_session = document["paths"]["/sessions"]["post"]["responses"]
    assert {"201", "200", "403", "409", "422"} <= set(post_session)
