"""An app behind the kernel's edge for the lean answers' unit tests: the edge, the
problem handlers, a token verifier, and a note of every request the edge let on into
the app's routing (so a test can tell a lean answer from the declared route's)."""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import APIRouter, FastAPI
from prometheus_client import CollectorRegistry
from pydantic import SecretStr
from starlette.types import ASGIApp, Receive, Scope, Send

from shared.auth import Role, TokenVerifier, issue_token
from shared.metrics import ServiceMetrics
from shared.problems import install_problem_handlers
from shared.request_edge import RequestEdge
from tests.kernel.probe import ProbeSettings

SETTINGS = ProbeSettings(jwt_secret=SecretStr("s" * 40))


class Routed:
    """Between the edge and the app's routing: notes the path of what passes."""

    def __init__(self, app: ASGIApp, passed: list[str]) -> None:
        self.app = app
        self.passed = passed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.passed.append(scope["path"])
        await self.app(scope, receive, send)


def edge_app(permission: str, routers: Iterable[APIRouter], routed: list[str]) -> FastAPI:
    """The routers behind the edge, ``permission`` granted to coaches; each request the
    edge lets on into the routing is noted in ``routed``."""
    app = FastAPI()
    app.state.token_verifier = TokenVerifier(SETTINGS)
    app.state.permissions = {permission: frozenset({Role.COACH})}
    install_problem_handlers(app)
    app.add_middleware(Routed, passed=routed)
    app.state.registry = CollectorRegistry()
    app.state.metrics = ServiceMetrics(app.state.registry, "probe")
    app.add_middleware(
        RequestEdge, metrics=app.state.metrics, max_header_bytes=8192, guard=lambda a: a
    )
    for router in routers:
        app.include_router(router)
    return app


def token(role: str) -> dict[str, str]:
    signed = issue_token(SETTINGS, subject=f"{role}-1", agency_id="agency-a", roles=[role])
    return {"Authorization": f"Bearer {signed}"}
