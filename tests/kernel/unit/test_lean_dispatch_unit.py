"""The edge answers a GET with its route's lean answer past the routing, exactly where the
app's routes would have given the request to that route, and only then."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

import httpx
import pytest
from fastapi import APIRouter, FastAPI, Request, Response

from shared.auth import Principal, allow
from shared.lean_route import LeanRoute, answered_lean
from tests.kernel.unit.edge_apps import edge_app, token

LEAN_CALLS: list[str] = []  # the things the lean answer was asked for
ROUTED: list[str] = []  # the paths that went on from the edge into the app's routing


async def lean_thing(request: Request, principal: Principal) -> Response | None:
    thing = request.path_params["thing"]
    LEAN_CALLS.append(thing)
    if thing == "slow":
        raise TimeoutError("the database did not answer in time")
    if thing != "plain":
        return None
    return Response(b'"lean"', media_type="application/json")


earlier = APIRouter()


@earlier.post("/things/{thing}")
async def write_thing(thing: str) -> str:
    return f"written {thing}"


@earlier.get("/things/special")
async def read_special() -> str:
    return "special"


lean = APIRouter(route_class=LeanRoute)


@lean.get("/things/{thing}")
@answered_lean(lean_thing)
async def read_thing(thing: str, principal: Annotated[Principal, allow("things.read")]) -> str:
    return f"declared {thing}"


@pytest.fixture
async def app() -> FastAPI:
    LEAN_CALLS.clear()
    ROUTED.clear()
    return edge_app("things.read", [earlier, lean], ROUTED)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


async def test_a_lean_get_is_answered_at_the_edge_and_counted_under_its_route(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    answer = await client.get("/things/plain", headers=token("coach"))
    assert answer.status_code == 200 and answer.json() == "lean"
    assert answer.headers["cache-control"] == "no-store"
    assert (LEAN_CALLS, ROUTED) == (["plain"], [])
    counted = app.state.registry.get_sample_value(
        "miiwrap_http_requests_total",
        {"service": "probe", "method": "GET", "route": "/things/{thing}", "status": "200"},
    )
    assert counted == 1


async def test_a_route_before_the_lean_one_keeps_the_requests_it_matches(
    client: httpx.AsyncClient,
) -> None:
    special = await client.get("/things/special", headers=token("coach"))
    written = await client.post("/things/plain", headers=token("coach"))
    assert (special.json(), written.json()) == ("special", "written plain")
    assert LEAN_CALLS == []
    assert ROUTED == ["/things/special", "/things/plain"]


async def test_what_the_lean_answer_declines_goes_to_the_declared_route_asked_once(
    client: httpx.AsyncClient,
) -> None:
    answer = await client.get("/things/other", headers=token("coach"))
    assert answer.status_code == 200 and answer.json() == "declared other"
    assert (LEAN_CALLS, ROUTED) == (["other"], ["/things/other"])


async def test_a_refused_caller_gets_the_declared_routes_problem(
    client: httpx.AsyncClient,
) -> None:
    observer = await client.get("/things/plain", headers=token("observer"))
    anonymous = await client.get("/things/plain")
    assert (observer.status_code, anonymous.status_code) == (403, 401)
    assert observer.headers["content-type"] == "application/problem+json"
    assert LEAN_CALLS == []
    assert ROUTED == ["/things/plain", "/things/plain"]


async def test_an_error_the_lean_answer_raises_is_answered_once_by_the_apps_handler(
    client: httpx.AsyncClient,
) -> None:
    answer = await client.get("/things/slow", headers=token("coach"))
    assert answer.status_code == 503
    assert answer.headers["content-type"] == "application/problem+json"
    assert (LEAN_CALLS, ROUTED) == (["slow"], [])


async def test_with_dependency_overrides_only_the_declared_route_answers(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    app.dependency_overrides[lean_thing] = lean_thing
    answer = await client.get("/things/plain", headers=token("coach"))
    assert answer.json() == "declared plain"
    assert (LEAN_CALLS, ROUTED) == ([], ["/things/plain"])
