"""Input a database or a JSON parser would choke on is refused with 4xx, never a 500,
and nothing is stored."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from tests.learning.xapi.integration.lms_statements import T0, hours, passed, quiz
from tests.learning.xapi.integration.lrs_client import Lms
from tests.learning.xapi.unit.builders import LMS, MODULE, learner, set_at, statement


async def nothing_stored(lms: Lms) -> bool:
    response = await lms.get_statements()
    return response.status_code == 200 and response.json()["statements"] == []


@pytest.mark.parametrize(
    ("body", "complaint"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "too deeply"),
        (b'{"verb": "\\ud800"}', "surrogate"),
        (b"\xff\xfe{}", "UTF-8"),
        (b'{"a": NaN}', "number"),
    ],
    ids=["deep-nesting", "lone-surrogate", "not-utf8", "nan"],
)
async def test_unparseable_or_unstorable_bodies_are_400(
    lms: Lms, body: bytes, complaint: str
) -> None:
    response = await lms.request(
        "POST", "statements", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400, response.text
    assert complaint in response.json()["detail"]
    assert await nothing_stored(lms)


async def test_a_statement_with_nul_in_a_string_is_400(lms: Lms) -> None:
    response = await lms.post_statements(set_at(statement(), "actor.name", "Ana\x00"))
    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]
    assert await nothing_stored(lms)


async def test_an_overlong_activity_id_is_413(lms: Lms) -> None:
    long_id = MODULE + "/" + "x" * 2000
    response = await lms.post_statements(set_at(statement(), "object.id", long_id))
    assert response.status_code == 413
    assert "1024 bytes" in response.json()["detail"]
    assert await nothing_stored(lms)


async def test_a_nul_in_a_parameter_is_400(lms: Lms) -> None:
    state = {"activityId": MODULE, "agent": learner("ana"), "stateId": "a\x00b"}
    response = await lms.request("GET", "activities/state", params=state)
    assert response.status_code == 400
    agent = await lms.get_statements(agent={"account": {"homePage": MODULE, "name": "\x00"}})
    assert agent.status_code == 400


async def test_concurrent_batches_about_the_same_learners_both_succeed(lms: Lms) -> None:
    learners = [f"p-{n}" for n in range(10)]
    await lms.declare_accounts(LMS)
    await lms.map_activity(quiz("M1"), kind="assessment", target_id="M1")
    await lms.enroll(*learners)
    forward = [passed(p, quiz("M1"), at=T0 + hours(n)) for n, p in enumerate(learners)]
    backward = [passed(p, quiz("M1"), at=T0) for p in reversed(learners)]
    shared = statement(id=str(uuid.uuid4()))

    first, second = await asyncio.gather(
        lms.post_statements([*forward, shared]), lms.post_statements([shared, *backward])
    )

    assert (first.status_code, second.status_code) == (200, 200)
    listed = (await lms.get_statements()).json()["statements"]
    assert len(listed) == 21
    outcomes = [await lms.admin("GET", f"/xapi-mappings/statements/{s['id']}") for s in forward]
    assert {o.json()["outcome"] for o in outcomes} == {"recorded"}
