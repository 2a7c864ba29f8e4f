"""The LRS's protocol: versions, credentials, About/Activities/Agents, the Alternate
Request Syntax, and that every answer carries X-Experience-API-Version."""

from __future__ import annotations

import json
import urllib.parse
import uuid

import pytest

from tests.learning.xapi.integration.conftest import new_agency
from tests.learning.xapi.integration.lms_statements import passed, quiz
from tests.learning.xapi.integration.lrs_client import VERSION, Lms, basic
from tests.learning.xapi.unit.builders import MODULE, learner, set_at, statement


async def test_about_answers_the_versions_without_credentials(lms: Lms) -> None:
    response = await lms.client.get("/xapi/about")
    assert response.status_code == 200
    assert response.json() == {"version": ["1.0.3", "1.0.2", "1.0.1", "1.0.0"]}
    assert response.headers["X-Experience-API-Version"] == "1.0.3"


@pytest.mark.parametrize("version", ["1.0", "1.0.0", "1.0.3", "1.0.9"])
async def test_accepts_every_1_0_version_header(lms: Lms, version: str) -> None:
    response = await lms.request("GET", "statements", headers={"X-Experience-API-Version": version})
    assert response.status_code == 200


@pytest.mark.parametrize("version", [None, "0.95", "1.1.0", "2.0.0", "one"])
async def test_refuses_other_or_missing_version_headers(lms: Lms, version: str | None) -> None:
    headers = basic(lms.key, lms.secret)
    if version is not None:
        headers["X-Experience-API-Version"] = version
    response = await lms.client.get("/xapi/statements", headers=headers)
    assert response.status_code == 400
    assert "X-Experience-API-Version" in response.json()["detail"]
    assert response.headers["X-Experience-API-Version"] == "1.0.3"


async def test_refuses_missing_or_wrong_credentials_with_a_basic_challenge(lms: Lms) -> None:
    anonymous = await lms.client.get("/xapi/statements", headers=VERSION)
    wrong = await lms.client.get("/xapi/statements", headers={**VERSION, **basic(lms.key, "guess")})
    unknown = await lms.client.get(
        "/xapi/statements", headers={**VERSION, **basic("nobody", lms.secret)}
    )
    bearer = await lms.client.get("/xapi/statements", headers={**VERSION, **lms.admin_headers()})
    for response in (anonymous, wrong, unknown, bearer):
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Basic")
        assert response.headers["content-type"] == "application/problem+json"


async def test_statements_of_one_agency_are_invisible_to_another(
    lms: Lms, running_lrs: Lms
) -> None:
    [statement_id] = await lms.stored([passed("p-1", quiz("M1"))])
    other = await new_agency(running_lrs)
    assert (await other.get_statements(statementId=statement_id)).status_code == 404
    assert (await other.get_statements()).json()["statements"] == []
    # the same id is free in the other agency
    assert await other.stored([passed("p-1", quiz("M1")) | {"id": statement_id}]) == [statement_id]


async def test_the_activities_resource_answers_the_canonical_definition(lms: Lms) -> None:
    first = statement()
    later = set_at(
        passed("p-1", MODULE) | {"object": first["object"]},
        "object.definition.name",
        {"fr": "Réunions d'équipe"},
    )
    await lms.stored([first])
    await lms.stored([later])

    response = await lms.request("GET", "activities", params={"activityId": MODULE})

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == MODULE and body["objectType"] == "Activity"
    assert body["definition"]["name"] == {
        "en-US": "Team meetings",
        "es": "Reuniones de equipo",
        "fr": "Réunions d'équipe",
    }
    unknown = await lms.request(
        "GET", "activities", params={"activityId": "https://lms.example.org/none"}
    )
    assert unknown.json() == {"objectType": "Activity", "id": "https://lms.example.org/none"}


async def test_the_agents_resource_answers_a_person(lms: Lms) -> None:
    agent = learner("ana")
    response = await lms.request("GET", "agents", params={"agent": agent})
    assert response.status_code == 200
    assert response.json() == {
        "objectType": "Person",
        "name": ["Ana Learner"],
        "account": [agent["account"]],
    }
    group = await lms.request(
        "GET", "agents", params={"agent": {"objectType": "Group", "member": [agent]}}
    )
    assert group.status_code == 400


async def test_the_alternate_request_syntax_can_put_and_get(lms: Lms) -> None:
    sent = statement(id=str(uuid.uuid4()))
    form = {
        "statementId": sent["id"],
        "Authorization": basic(lms.key, lms.secret)["Authorization"],
        "X-Experience-API-Version": "1.0.3",
        "Content-Type": "application/json",
        "content": json.dumps(sent),
    }
    put = await lms.client.post(
        "/xapi/statements?method=PUT",
        content=urllib.parse.urlencode(form),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert put.status_code == 204, put.text

    get = await lms.client.post(
        "/xapi/statements?method=GET",
        content=urllib.parse.urlencode(
            {
                "statementId": sent["id"],
                **{k: form[k] for k in ("Authorization", "X-Experience-API-Version")},
            }
        ),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert get.status_code == 200, get.text
    assert get.json()["id"] == sent["id"]


async def test_the_alternate_syntax_allows_no_other_query_parameter(lms: Lms) -> None:
    response = await lms.client.post(
        "/xapi/statements?method=GET&limit=1",
        content=b"",
        headers={**lms.headers(), "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 400


async def test_a_method_a_resource_does_not_have_is_405(lms: Lms) -> None:
    response = await lms.request("DELETE", "statements")
    assert response.status_code == 405
    assert "PUT" in response.headers["Allow"]
    assert response.headers["X-Experience-API-Version"] == "1.0.3"


async def test_an_unknown_xapi_path_is_404_with_the_version_header(lms: Lms) -> None:
    response = await lms.request("GET", "nothing-here")
    assert response.status_code == 404
    assert response.headers["X-Experience-API-Version"] == "1.0.3"
    assert response.headers["content-type"] == "application/problem+json"


async def test_every_resource_takes_a_trailing_slash_and_the_root_answers(lms: Lms) -> None:
    for resource in ("statements/", "about/", "activities/state/", "agents/profile/"):
        response = await lms.request("GET", resource, params={"agent": "x"})
        assert response.status_code != 404, (resource, response.text)
    assert (await lms.request("GET", "statements/")).status_code == 200
    for path in ("/xapi", "/xapi/"):
        root = await lms.client.get(path, follow_redirects=False)
        assert root.status_code == 200, (path, root.text)
        assert "1.0.3" in root.json()["version"]
