"""The role matrix at the edge, and the OpenAPI document."""

from __future__ import annotations

import pytest

from tests.coaching.coaching_api import PRACTITIONER, CoachingApi, new_id

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
