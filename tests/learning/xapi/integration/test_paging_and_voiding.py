"""`more` paging through long results, and voiding as the LRS applies it."""

from __future__ import annotations

import uuid
from typing import Any

from services.learning.xapi import VOIDED_VERB
from tests.learning.xapi.integration.lms_statements import T0, hours, passed, quiz
from tests.learning.xapi.integration.lrs_client import Lms
from tests.learning.xapi.unit.builders import mailbox, statement, verb

ADMIN = mailbox("lms-admin@agency.example.org")


def voiding(target_id: str) -> dict[str, Any]:
    return statement(
        actor=ADMIN,
        verb=verb(VOIDED_VERB),
        object={"objectType": "StatementRef", "id": target_id},
        context={},
    ) | {"id": str(uuid.uuid4())}


async def follow(lms: Lms, first: dict[str, Any]) -> list[list[str]]:
    pages = [[s["id"] for s in first["statements"]]]
    more = first["more"]
    while more:
        assert more.startswith("/xapi/statements/more/")
        response = await lms.client.get(more, headers=lms.headers())
        assert response.status_code == 200, response.text
        assert "X-Experience-API-Consistent-Through" in response.headers
        body = response.json()
        pages.append([s["id"] for s in body["statements"]])
        more = body["more"]
    return pages


async def test_more_pages_through_every_statement_newest_first(lms: Lms) -> None:
    sent: list[str] = []
    for batch in range(5):
        sent += await lms.stored([passed(f"p-{batch}", quiz("M1"), at=T0) for _ in range(5)])

    first = (await lms.get_statements(limit=10)).json()
    pages = await follow(lms, first)

    assert [len(p) for p in pages] == [10, 10, 5]
    listed = [i for page in pages for i in page]
    assert sorted(listed) == sorted(sent) and len(set(listed)) == 25
    assert listed[0] in sent[20:] and listed[-1] in sent[:5]  # newest batch first


async def test_more_keeps_the_filters_and_the_order(lms: Lms) -> None:
    mine = [passed("p-1", quiz("M1"), at=T0 + hours(i)) for i in range(7)]
    others = [passed("p-2", quiz("M2"), at=T0) for _ in range(7)]
    for one, other in zip(mine, others, strict=True):
        await lms.stored([one, other])

    first = await lms.get_statements(activity=quiz("M1"), ascending=True, limit=3)
    pages = await follow(lms, first.json())

    assert [i for page in pages for i in page] == [s["id"] for s in mine]


async def test_a_more_link_that_was_not_issued_is_refused(lms: Lms) -> None:
    response = await lms.client.get("/xapi/statements/more/bm9wZQ", headers=lms.headers())
    assert response.status_code == 400
    assert "more" in response.json()["detail"]


async def test_voiding_hides_the_target_from_queries_and_keeps_it_by_voided_id(lms: Lms) -> None:
    target = passed("p-1", quiz("M1"))
    [target_id] = await lms.stored([target])

    [voiding_id] = await lms.stored([voiding(target_id)])

    listed = [s["id"] for s in (await lms.get_statements()).json()["statements"]]
    assert listed == [voiding_id]
    assert (await lms.get_statements(statementId=target_id)).status_code == 404
    assert (await lms.get_statements(voidedStatementId=target_id)).json()["id"] == target_id


async def test_a_voiding_statement_sent_before_its_target_still_voids_it(lms: Lms) -> None:
    target = passed("p-1", quiz("M1"))
    await lms.stored([voiding(target["id"])])

    await lms.stored([target])

    assert (await lms.get_statements(statementId=target["id"])).status_code == 404
    assert (await lms.get_statements(voidedStatementId=target["id"])).status_code == 200


async def test_a_statement_voided_in_the_same_batch_is_hidden(lms: Lms) -> None:
    target = passed("p-1", quiz("M1"))
    await lms.stored([target, voiding(target["id"])])
    assert (await lms.get_statements(statementId=target["id"])).status_code == 404


async def test_a_voiding_statement_cannot_itself_be_voided(lms: Lms) -> None:
    [target_id] = await lms.stored([passed("p-1", quiz("M1"))])
    [voiding_id] = await lms.stored([voiding(target_id)])

    await lms.stored([voiding(voiding_id)])

    assert (await lms.get_statements(statementId=voiding_id)).status_code == 200
    assert (await lms.get_statements(voidedStatementId=target_id)).status_code == 200
