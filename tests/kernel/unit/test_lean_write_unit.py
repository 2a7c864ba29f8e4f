"""A create's lean write: answered from the edge past the routing where the route's shape
allows it, its refusals left to the declared route, any other shape refused at start-up."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

import httpx
import pytest
from fastapi import APIRouter, Depends, FastAPI, Request, Response
from pydantic import BaseModel, Field

from shared.auth import Principal, allow
from shared.lean_dispatch import LeanDispatch
from shared.lean_write import answered_lean_write
from shared.problems import NotFound
from tests.kernel.unit.edge_apps import edge_app, token

ROUTED: list[str] = []  # the requests that went on from the edge into the app's routing
ENDPOINT_RUNS: list[str] = []


class ThingCreate(BaseModel):
    name: str = Field(min_length=1)
    size: int = 1


class ThingPublic(BaseModel):
    name: str
    size: int
    by: str


async def the_label(request: Request) -> str:
    return "label"


async def label_on_request(request: Request) -> str:
    return "label"


router = APIRouter()


@router.post("/things", status_code=201)
@answered_lean_write(stand_ins={the_label: label_on_request})
async def create_thing(
    body: ThingCreate,
    principal: Annotated[Principal, allow("things.create")],
    label: Annotated[str, Depends(the_label)],
    response: Response,
) -> ThingPublic:
    ENDPOINT_RUNS.append(body.name)
    if body.name == "missing":
        raise NotFound("no such thing")
    if body.name == "again":
        response.status_code = 200
        response.headers["location"] = "/things/again"
    return ThingPublic(name=body.name, size=body.size, by=f"{principal.subject} {label}")


def app_with(created: APIRouter) -> FastAPI:
    return edge_app("things.create", [created], ROUTED)


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    ROUTED.clear()
    ENDPOINT_RUNS.clear()
    transport = httpx.ASGITransport(app=app_with(router))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


async def test_a_create_is_answered_at_the_edge_with_the_routes_status_and_model(
    client: httpx.AsyncClient,
) -> None:
    answer = await client.post("/things", json={"name": "lamp"}, headers=token("coach"))
    again = await client.post("/things", json={"name": "again"}, headers=token("coach"))
    assert (answer.status_code, answer.json()) == (
        201,
        {"name": "lamp", "size": 1, "by": "coach-1 label"},
    )
    assert (again.status_code, again.headers["location"]) == (200, "/things/again")
    assert (ENDPOINT_RUNS, ROUTED) == (["lamp", "again"], [])


async def test_a_body_the_model_refuses_goes_to_the_declared_route_with_its_body(
    client: httpx.AsyncClient,
) -> None:
    answer = await client.post("/things", json={"name": ""}, headers=token("coach"))
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    assert "name" in answer.text
    assert (ENDPOINT_RUNS, ROUTED) == ([], ["/things"])


async def test_a_refused_caller_gets_the_declared_routes_problem(
    client: httpx.AsyncClient,
) -> None:
    observer = await client.post("/things", json={"name": "lamp"}, headers=token("observer"))
    anonymous = await client.post("/things", json={"name": "lamp"})
    assert (observer.status_code, anonymous.status_code) == (403, 401)
    assert (ENDPOINT_RUNS, ROUTED) == ([], ["/things", "/things"])


async def test_a_problem_the_endpoint_raises_is_answered_once_by_the_apps_handler(
    client: httpx.AsyncClient,
) -> None:
    answer = await client.post("/things", json={"name": "missing"}, headers=token("coach"))
    assert answer.status_code == 404
    assert answer.headers["content-type"] == "application/problem+json"
    assert (ENDPOINT_RUNS, ROUTED) == (["missing"], [])


def test_a_route_with_a_dependency_it_has_no_stand_in_for_is_refused_at_start_up() -> None:
    unnamed = APIRouter()

    @unnamed.post("/things")
    @answered_lean_write()
    async def create(
        body: ThingCreate,
        principal: Annotated[Principal, allow("things.create")],
        label: Annotated[str, Depends(the_label)],
    ) -> str:
        return label

    with pytest.raises(TypeError, match="not named"):
        LeanDispatch(app_with(unnamed))


def test_a_route_with_a_query_parameter_is_refused_at_start_up() -> None:
    queried = APIRouter()

    @queried.post("/things")
    @answered_lean_write()
    async def create(
        body: ThingCreate, principal: Annotated[Principal, allow("things.create")], dry: bool
    ) -> str:
        return "made"

    with pytest.raises(TypeError, match="query params"):
        LeanDispatch(app_with(queried))
