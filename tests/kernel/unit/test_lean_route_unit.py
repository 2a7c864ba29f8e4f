"""A lean answer covers only a permitted plain case; everything else is the declared route's."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

import httpx
import pytest
from fastapi import APIRouter, Depends, FastAPI, Request, Response
from pydantic import SecretStr

from shared.auth import Principal, Role, TokenVerifier, allow, issue_token
from shared.lean_route import LeanRoute, answered_lean
from shared.problems import install_problem_handlers
from tests.kernel.probe import ProbeSettings

SETTINGS = ProbeSettings(jwt_secret=SecretStr("s" * 40))


async def reader_of(request: Request) -> str:
    """A dependency the lean answer reaches by itself (as a runtime or a clock)."""
    return "reader"


# the subjects the lean answer was asked for, in order
LEAN_CALLS: list[str] = []


async def lean_thing(request: Request, principal: Principal) -> Response | None:
    LEAN_CALLS.append(principal.subject)
    if request.path_params["thing"] != "plain":
        return None
    return Response(b'"lean"', media_type="application/json")


def an_app(router: APIRouter) -> FastAPI:
    app = FastAPI()
    app.state.token_verifier = TokenVerifier(SETTINGS)
    app.state.permissions = {"things.read": frozenset({Role.COACH})}
    install_problem_handlers(app)
    app.include_router(router)
    return app


router = APIRouter(route_class=LeanRoute)


@router.get("/things/{thing}")
@answered_lean(lean_thing, stands_in_for=(reader_of,))
async def read_thing(
    thing: str,
    principal: Annotated[Principal, allow("things.read")],
    reader: Annotated[str, Depends(reader_of)],
) -> str:
    return f"declared {thing}"


def token(role: str) -> dict[str, str]:
    signed = issue_token(SETTINGS, subject=f"{role}-1", agency_id="agency-a", roles=[role])
    return {"Authorization": f"Bearer {signed}"}


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    LEAN_CALLS.clear()
    transport = httpx.ASGITransport(app=an_app(router))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


async def test_a_permitted_plain_request_is_answered_by_the_lean_answer(
    client: httpx.AsyncClient,
) -> None:
    answer = await client.get("/things/plain", headers=token("coach"))
    assert answer.status_code == 200 and answer.json() == "lean"
    assert LEAN_CALLS == ["coach-1"]


async def test_what_the_lean_answer_declines_is_answered_by_the_declared_route(
    client: httpx.AsyncClient,
) -> None:
    answer = await client.get("/things/other", headers=token("coach"))
    assert answer.status_code == 200 and answer.json() == "declared other"
    assert LEAN_CALLS == ["coach-1"]


async def test_a_missing_token_or_a_refused_role_gets_the_declared_problem_without_the_lean_answer(
    client: httpx.AsyncClient,
) -> None:
    anonymous = await client.get("/things/plain")
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"] == "application/problem+json"
    forged = await client.get("/things/plain", headers={"Authorization": "Bearer not.a.token"})
    assert forged.status_code == 401
    observer = await client.get("/things/plain", headers=token("observer"))
    assert observer.status_code == 403
    assert "things.read" in observer.json()["detail"]
    assert LEAN_CALLS == []


async def test_with_dependency_overrides_only_the_declared_route_answers() -> None:
    LEAN_CALLS.clear()
    app = an_app(router)
    app.dependency_overrides[reader_of] = lambda: "another reader"
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        answer = await http.get("/things/plain", headers=token("coach"))
    assert answer.json() == "declared plain"
    assert LEAN_CALLS == []


async def test_a_route_whose_dependency_the_lean_answer_does_not_name_is_refused() -> None:
    unnamed = APIRouter(route_class=LeanRoute)

    with pytest.raises(TypeError, match="not named"):

        @unnamed.get("/things/{thing}")
        @answered_lean(lean_thing)
        async def read_thing(
            thing: str,
            principal: Annotated[Principal, allow("things.read")],
            reader: Annotated[str, Depends(reader_of)],
        ) -> str:
            return thing

        app = an_app(unnamed)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            await http.get("/things/plain", headers=token("coach"))


async def test_a_router_included_with_a_dependency_of_its_own_is_refused() -> None:
    guarded = APIRouter(route_class=LeanRoute)

    @guarded.get("/things/{thing}")
    @answered_lean(lean_thing, stands_in_for=(reader_of,))
    async def read_thing(thing: str, principal: Annotated[Principal, allow("things.read")]) -> str:
        return thing

    app = FastAPI()
    with pytest.raises(TypeError, match="not named"):
        app.include_router(guarded, dependencies=[Depends(audited)])
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            await http.get("/things/plain", headers=token("coach"))


def audited(request: Request) -> None:
    """A router-wide dependency a lean answer would skip."""
