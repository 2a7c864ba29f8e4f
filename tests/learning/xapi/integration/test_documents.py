"""State, Activity Profile and Agent Profile documents, with ETag concurrency control."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from tests.learning.xapi.integration.conftest import new_agency
from tests.learning.xapi.integration.lrs_client import Lms
from tests.learning.xapi.unit.builders import MODULE, REGISTRATION, learner

ANA = learner("ana")
STATE = {"activityId": MODULE, "agent": ANA, "stateId": "bookmark"}
ACTIVITY_PROFILE = {"activityId": MODULE, "profileId": "syllabus"}
AGENT_PROFILE = {"agent": ANA, "profileId": "preferences"}
JSON = {"Content-Type": "application/json"}


async def put(lms: Lms, resource: str, params: dict[str, Any], body: bytes, **headers: str) -> int:
    response = await lms.request(
        "PUT", resource, params=params, content=body, headers={**JSON, **headers}
    )
    return response.status_code


async def get(lms: Lms, resource: str, params: dict[str, Any]) -> Any:
    return await lms.request("GET", resource, params=params)


async def test_state_put_get_and_delete(lms: Lms) -> None:
    assert await put(lms, "activities/state", STATE, b'{"page": 3}') == 204

    fetched = await get(lms, "activities/state", STATE)
    assert fetched.status_code == 200
    assert fetched.json() == {"page": 3}
    assert fetched.headers["content-type"] == "application/json"
    assert fetched.headers["ETag"] == '"' + hashlib.sha1(b'{"page": 3}').hexdigest() + '"'
    assert fetched.headers["Last-Modified"].endswith("GMT")

    deleted = await lms.request("DELETE", "activities/state", params=STATE)
    assert deleted.status_code == 204
    assert (await get(lms, "activities/state", STATE)).status_code == 404


async def test_state_is_kept_per_registration(lms: Lms) -> None:
    with_registration = {**STATE, "registration": REGISTRATION}
    await put(lms, "activities/state", STATE, b'{"page": 1}')
    await put(lms, "activities/state", with_registration, b'{"page": 9}')

    assert (await get(lms, "activities/state", STATE)).json() == {"page": 1}
    assert (await get(lms, "activities/state", with_registration)).json() == {"page": 9}


async def test_post_merges_json_documents_as_the_spec_example_shows(lms: Lms) -> None:
    await put(lms, "activities/state", STATE, b'{"x": "foo", "y": "bar"}')

    merged = await lms.request(
        "POST", "activities/state", params=STATE, content=b'{"x": "bash", "z": "faz"}', headers=JSON
    )

    assert merged.status_code == 204
    assert (await get(lms, "activities/state", STATE)).json() == {
        "x": "bash",
        "y": "bar",
        "z": "faz",
    }


async def test_post_refuses_to_merge_a_document_that_is_not_json(lms: Lms) -> None:
    await put(lms, "activities/state", STATE, b"plain words", **{"Content-Type": "text/plain"})
    response = await lms.request(
        "POST", "activities/state", params=STATE, content=b'{"a": 1}', headers=JSON
    )
    assert response.status_code == 400
    assert (await get(lms, "activities/state", STATE)).content == b"plain words"


async def test_ids_are_listed_with_since_and_deleted_together(lms: Lms) -> None:
    scope = {"activityId": MODULE, "agent": ANA}
    await put(lms, "activities/state", {**scope, "stateId": "a"}, b"{}")
    first = await get(lms, "activities/state", {**scope, "stateId": "a"})
    await put(
        lms, "activities/state", {**scope, "stateId": "b", "registration": REGISTRATION}, b"{}"
    )

    listed = await get(lms, "activities/state", scope)
    assert listed.json() == ["a", "b"]
    assert "Last-Modified" in listed.headers
    since = await get(lms, "activities/state", {**scope, "since": "2000-01-01T00:00:00Z"})
    assert since.json() == ["a", "b"]
    only_registration = await get(lms, "activities/state", {**scope, "registration": REGISTRATION})
    assert only_registration.json() == ["b"]
    assert first.status_code == 200

    assert (await lms.request("DELETE", "activities/state", params=scope)).status_code == 204
    assert (await get(lms, "activities/state", scope)).json() == []


@pytest.mark.parametrize(
    ("resource", "params"),
    [("activities/profile", ACTIVITY_PROFILE), ("agents/profile", AGENT_PROFILE)],
    ids=["activity-profile", "agent-profile"],
)
async def test_profiles_are_guarded_by_etags(
    lms: Lms, resource: str, params: dict[str, Any]
) -> None:
    assert await put(lms, resource, params, b'{"v": 1}', **{"If-None-Match": "*"}) == 204
    etag = (await get(lms, resource, params)).headers["ETag"]

    assert await put(lms, resource, params, b'{"v": 2}') == 409  # no precondition
    assert await put(lms, resource, params, b'{"v": 2}', **{"If-None-Match": "*"}) == 412
    assert await put(lms, resource, params, b'{"v": 2}', **{"If-Match": '"0000"'}) == 412
    assert (await get(lms, resource, params)).json() == {"v": 1}

    assert await put(lms, resource, params, b'{"v": 2}', **{"If-Match": etag}) == 204
    assert (await get(lms, resource, params)).json() == {"v": 2}
    stale = await lms.request("DELETE", resource, params=params, headers={"If-Match": etag})
    assert stale.status_code == 412
    listed = await get(lms, resource, {k: v for k, v in params.items() if k != "profileId"})
    assert listed.json() == [params["profileId"]]


async def test_a_conflicting_put_explains_how_to_resolve_it(lms: Lms) -> None:
    created = await lms.request(
        "PUT", "activities/profile", params=ACTIVITY_PROFILE, content=b"{}", headers=JSON
    )
    assert created.status_code == 400  # a new profile without a precondition (ADL suite)
    assert "If-None-Match" in created.json()["detail"]
    await put(lms, "activities/profile", ACTIVITY_PROFILE, b"{}", **{"If-None-Match": "*"})
    response = await lms.request(
        "PUT", "activities/profile", params=ACTIVITY_PROFILE, content=b"{}", headers=JSON
    )
    assert response.status_code == 409
    assert "If-Match" in response.json()["detail"]


async def test_documents_of_any_type_round_trip(lms: Lms) -> None:
    data = bytes(range(256))
    headers = {"Content-Type": "application/octet-stream", "If-None-Match": "*"}
    assert await put(lms, "agents/profile", AGENT_PROFILE, data, **headers) == 204
    fetched = await get(lms, "agents/profile", AGENT_PROFILE)
    assert fetched.content == data
    assert fetched.headers["content-type"] == "application/octet-stream"


async def test_head_of_a_document_has_its_etag_and_no_body(lms: Lms) -> None:
    await put(lms, "activities/state", STATE, b'{"page": 3}')
    head = await lms.request("HEAD", "activities/state", params=STATE)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["ETag"] == (await get(lms, "activities/state", STATE)).headers["ETag"]


@pytest.mark.parametrize(
    ("resource", "params", "complaint"),
    [
        ("activities/state", {"agent": ANA, "stateId": "x"}, "activityId"),
        ("activities/state", {**STATE, "agent": {"objectType": "Group", "member": [ANA]}}, "Group"),
        ("activities/state", {**STATE, "registration": "nope"}, "registration"),
        ("activities/state", {**STATE, "activityId": "no-scheme"}, "IRI"),
        ("activities/profile", {**ACTIVITY_PROFILE, "ProfileId": "x"}, "case sensitive"),
        ("agents/profile", {"profileId": "x"}, "agent"),
    ],
)
async def test_bad_document_parameters_are_a_400(
    lms: Lms, resource: str, params: dict[str, Any], complaint: str
) -> None:
    response = await get(lms, resource, params)
    assert response.status_code == 400
    assert complaint in response.json()["detail"]


async def test_documents_of_one_agency_are_invisible_to_another(lms: Lms, running_lrs: Lms) -> None:
    await put(lms, "activities/state", STATE, b'{"secret": true}')
    other = await new_agency(running_lrs)
    assert (await get(other, "activities/state", STATE)).status_code == 404
    assert json.loads((await get(lms, "activities/state", STATE)).content) == {"secret": True}
