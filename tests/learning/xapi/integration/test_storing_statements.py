"""PUT and POST /xapi/statements: what is stored, what is refused, and that a refusal
stores nothing (Communication §2.1.1-§2.1.2, Data §2.3.1, §2.4.8-§2.4.10)."""

from __future__ import annotations

import uuid

from tests.learning.xapi.integration.lms_statements import T0, failed, passed, quiz
from tests.learning.xapi.integration.lrs_client import Lms
from tests.learning.xapi.unit.builders import drop_at, learner, mailbox, set_at, statement


async def count(lms: Lms) -> int:
    response = await lms.get_statements(limit=0)
    assert response.status_code == 200, response.text
    return len(response.json()["statements"])


async def fetch(lms: Lms, statement_id: str) -> dict[str, object]:
    response = await lms.get_statements(statementId=statement_id)
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


async def test_put_stores_the_statement_under_its_id_with_no_content(lms: Lms) -> None:
    sent = drop_at(statement(), "id")
    statement_id = str(uuid.uuid4())

    response = await lms.put_statement(statement_id, sent)

    assert response.status_code == 204
    assert response.content == b""
    assert (await fetch(lms, statement_id))["id"] == statement_id


async def test_post_answers_the_ids_in_order_and_assigns_missing_ones(lms: Lms) -> None:
    given = passed("p-1", quiz("M1"))
    anonymous = drop_at(failed("p-1", quiz("M1")), "id")

    ids = await lms.stored([given, anonymous])

    assert ids[0] == given["id"]
    assert uuid.UUID(ids[1]).version == 4
    assert (await fetch(lms, ids[1]))["result"] == anonymous["result"]


async def test_the_lrs_sets_stored_authority_and_version_and_keeps_the_timestamp(lms: Lms) -> None:
    forged = statement(authority=mailbox("someone-else@example.org"), stored="2001-01-01T00:00:00Z")

    [statement_id] = await lms.stored(forged)

    kept = await fetch(lms, statement_id)
    assert kept["authority"] == {
        "objectType": "Agent",
        "name": "Moodle",
        "account": {"homePage": "https://miiwrap.org/xapi-credentials", "name": lms.key},
    }
    assert kept["stored"] != "2001-01-01T00:00:00Z"
    assert str(kept["stored"]).endswith("Z") and len(str(kept["stored"])) == 24
    assert kept["version"] == "1.0.0"
    assert kept["timestamp"] == forged["timestamp"]


async def test_a_statement_without_timestamp_gets_its_stored_time(lms: Lms) -> None:
    [statement_id] = await lms.stored(drop_at(statement(), "timestamp"))
    kept = await fetch(lms, statement_id)
    assert kept["timestamp"] == kept["stored"]


async def test_a_single_context_activity_comes_back_as_an_array(lms: Lms) -> None:
    parent = {"objectType": "Activity", "id": "https://lms.example.org/courses/wraparound-101"}
    [statement_id] = await lms.stored(
        set_at(statement(), "context.contextActivities.parent", parent)
    )
    kept = await fetch(lms, statement_id)
    assert kept["context"]["contextActivities"]["parent"] == [parent]  # type: ignore[index]


async def test_a_batch_with_one_invalid_statement_stores_nothing(lms: Lms) -> None:
    batch = [passed("p-1", quiz("M1"), at=T0) for _ in range(20)]
    batch[13] = set_at(batch[13], "actor.mbox", "not-an-email")

    response = await lms.post_statements(batch)

    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"].startswith("[13].actor")
    assert await count(lms) == 0


async def test_a_batch_repeating_an_id_is_refused(lms: Lms) -> None:
    first = statement()
    response = await lms.post_statements([first, set_at(first, "verb.id", "http://x.org/v")])
    assert response.status_code == 400
    assert "[1].id" in response.json()["detail"]
    assert await count(lms) == 0


async def test_an_identical_put_again_is_no_content_and_changes_nothing(lms: Lms) -> None:
    sent = statement(id=str(uuid.uuid4()))
    assert (await lms.put_statement(sent["id"], sent)).status_code == 204
    before = await fetch(lms, sent["id"])
    renamed = set_at(sent, "object.definition.name", {"en-US": "Another title"})

    again = await lms.put_statement(sent["id"], renamed)

    assert again.status_code == 204
    assert await fetch(lms, sent["id"]) == before


async def test_a_put_with_other_content_under_a_stored_id_conflicts(lms: Lms) -> None:
    sent = statement(id=str(uuid.uuid4()))
    await lms.put_statement(sent["id"], sent)

    response = await lms.put_statement(sent["id"], set_at(sent, "result.score.scaled", 0.1))

    assert response.status_code == 409
    assert "immutable" in response.json()["detail"]
    assert (await fetch(lms, sent["id"]))["result"] == sent["result"]


async def test_a_post_batch_with_one_conflicting_id_stores_nothing(lms: Lms) -> None:
    stored = statement(id=str(uuid.uuid4()))
    await lms.stored([stored])
    fresh = passed("p-2", quiz("M2"))
    conflicting = set_at(stored, "actor", learner("someone-else"))

    response = await lms.post_statements([fresh, conflicting])

    assert response.status_code == 409
    assert "[1]" in response.json()["detail"]
    assert (await lms.get_statements(statementId=fresh["id"])).status_code == 404


async def test_a_post_resending_stored_statements_answers_their_ids(lms: Lms) -> None:
    stored = statement(id=str(uuid.uuid4()))
    await lms.stored([stored])
    fresh = passed("p-2", quiz("M2"))

    assert await lms.stored([stored, fresh]) == [stored["id"], fresh["id"]]
    assert await count(lms) == 2


async def test_put_refuses_a_body_id_other_than_the_statement_id(lms: Lms) -> None:
    response = await lms.put_statement(str(uuid.uuid4()), statement())
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "id", "message": "must equal the statementId parameter of the PUT"}
    ]


async def test_put_needs_a_statement_id_and_one_statement(lms: Lms) -> None:
    no_id = await lms.request("PUT", "statements", json_body=statement())
    assert no_id.status_code == 400
    assert "statementId" in no_id.json()["detail"]
    batch = await lms.put_statement(str(uuid.uuid4()), [statement()])
    assert batch.status_code == 400


async def test_refuses_bodies_that_are_not_statements(lms: Lms) -> None:
    broken = await lms.request("POST", "statements", content=b"{not json")
    duplicated = await lms.request(
        "POST",
        "statements",
        content=b'{"actor": {}, "actor": {}}',
        headers={"Content-Type": "application/json"},
    )
    plain = await lms.request(
        "POST", "statements", content=b"{}", headers={"Content-Type": "text/plain"}
    )
    assert [r.status_code for r in (broken, duplicated, plain)] == [400, 400, 400]
    assert "more than once" in duplicated.json()["detail"]
    assert "application/json" in plain.json()["detail"]


async def test_an_empty_batch_stores_nothing(lms: Lms) -> None:
    assert await lms.stored([]) == []
