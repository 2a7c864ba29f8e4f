"""Calls to the services: a refusal keeps the service's words, and evidence refused only
because a service's roster copy lags is sent again for a moment."""

from __future__ import annotations

import httpx
import pytest

from services.portal.adapters.services import ApiProblem, ServiceApi

NOT_ON_ROSTER = {
    "type": "https://miiwrap.org/problems/not-on-roster",
    "title": "Not on the roster",
    "detail": "prac-9 is not on this agency's roster",
    "status": 422,
}


def api(answers: list[httpx.Response], seen: list[httpx.Request]) -> ServiceApi:
    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answers.pop(0)

    http = httpx.AsyncClient(transport=httpx.MockTransport(answer))
    return ServiceApi("fidelity", "http://fidelity", http, "the-token")


async def test_a_lagging_roster_copy_is_waited_for_with_the_same_body() -> None:
    seen: list[httpx.Request] = []
    answers = [httpx.Response(422, json=NOT_ON_ROSTER)] * 2 + [httpx.Response(201, json={"id": 1})]
    created = await api(answers, seen).post("/observations", {"id": "obs-1"})
    assert created == {"id": 1}
    assert [r.content for r in seen] == [b'{"id":"obs-1"}'] * 3
    assert seen[0].headers["Authorization"] == "Bearer the-token"


async def test_another_refusal_is_raised_at_once_in_the_services_words() -> None:
    seen: list[httpx.Request] = []
    problem = {"title": "Conflict", "detail": "facilitator already revoked", "status": 409}
    with pytest.raises(ApiProblem) as raised:
        await api([httpx.Response(409, json=problem)], seen).post("/x", {})
    assert (raised.value.status, raised.value.detail) == (409, "facilitator already revoked")
    assert len(seen) == 1


async def test_a_read_is_never_repeated() -> None:
    seen: list[httpx.Request] = []
    with pytest.raises(ApiProblem):
        await api([httpx.Response(422, json=NOT_ON_ROSTER)], seen).get("/observations")
    assert len(seen) == 1


async def test_every_page_of_a_list_is_followed() -> None:
    seen: list[httpx.Request] = []
    pages = [
        httpx.Response(200, json={"items": [1, 2], "next_cursor": "c2"}),
        httpx.Response(200, json={"items": [3], "next_cursor": None}),
    ]
    assert await api(pages, seen).every("/practitioners", status="at_risk") == [1, 2, 3]
    assert seen[1].url.params["cursor"] == "c2" and seen[1].url.params["status"] == "at_risk"


def breaking_once(seen: list[httpx.Request]) -> ServiceApi:
    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if len(seen) == 1:
            raise httpx.ReadError("connection reset", request=request)
        return httpx.Response(200, json={"ok": True})

    http = httpx.AsyncClient(transport=httpx.MockTransport(answer))
    return ServiceApi("coaching", "http://coaching", http, "t")


async def test_a_read_or_a_write_with_its_own_id_survives_a_broken_connection() -> None:
    seen: list[httpx.Request] = []
    assert await breaking_once(seen).get("/sessions") == {"ok": True}
    seen.clear()
    assert await breaking_once(seen).post("/sessions", {"id": "s-1"}) == {"ok": True}
    assert len(seen) == 2


async def test_a_write_without_an_id_is_not_sent_twice() -> None:
    seen: list[httpx.Request] = []
    with pytest.raises(ApiProblem) as raised:
        await breaking_once(seen).post("/xapi-credentials", {"partner_name": "LMS"})
    assert raised.value.status == 503 and "could not be reached" in raised.value.detail
    assert len(seen) == 1
