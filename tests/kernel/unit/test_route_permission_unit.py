"""A route's permission is one dependency (the bearer scheme itself), with the answers and
OpenAPI of the scheme → principal → permission chain it replaced."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from httpx import ASGITransport, AsyncClient
from pydantic import SecretStr

from shared.auth import Principal, Role, TokenVerifier, allow, issue_token
from shared.problems import install_problem_handlers
from tests.kernel.probe import ProbeSettings

SETTINGS = ProbeSettings(jwt_secret=SecretStr("s" * 40))


def an_app() -> FastAPI:
    router = APIRouter()

    @router.get("/notes")
    async def notes(principal: Annotated[Principal, allow("notes.read")]) -> dict[str, Any]:
        return {"subject": principal.subject}

    app = FastAPI()
    install_problem_handlers(app)
    app.include_router(router)
    app.state.token_verifier = TokenVerifier(SETTINGS)
    app.state.permissions = {"notes.read": frozenset({Role.COACH})}
    app.state.notes_route = router.routes[0]
    return app


def test_a_routes_permission_is_one_dependency_named_as_the_bearer_scheme() -> None:
    app = an_app()
    route = app.state.notes_route
    assert isinstance(route, APIRoute)
    (permission,) = route.dependant.dependencies
    assert permission.dependencies == []
    openapi = app.openapi()
    assert openapi["paths"]["/notes"]["get"]["security"] == [{"HTTPBearer": ["notes.read"]}]
    assert openapi["components"]["securitySchemes"] == {
        "HTTPBearer": {
            "type": "http",
            "scheme": "bearer",
            "description": "JWT with sub, agency and roles claims",
        }
    }


async def test_a_missing_token_is_401_a_role_the_matrix_refuses_403_an_allowed_one_passes() -> None:
    def bearer(roles: list[str]) -> dict[str, str]:
        token = issue_token(SETTINGS, subject="u1", agency_id="agency-a", roles=roles)
        return {"Authorization": f"Bearer {token}"}

    transport = ASGITransport(app=an_app())
    async with AsyncClient(transport=transport, base_url="http://test") as client:
        assert (await client.get("/notes")).status_code == 401
        assert (
            await client.get("/notes", headers={"Authorization": "Basic eDp5"})
        ).status_code == 401
        refused = await client.get("/notes", headers=bearer(["auditor"]))
        assert refused.status_code == 403
        assert "notes.read needs one of the roles: coach" in refused.text
        allowed = await client.get("/notes", headers=bearer(["coach"]))
        assert allowed.json() == {"subject": "u1"}
