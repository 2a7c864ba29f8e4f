"""A service app is served through the kernel's edge first, in the place of Starlette's
error middleware: an unhandled error is still answered once, as a problem, and logged once."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import APIRouter
from fastapi.telemetry._asgi import ExceptionTelemetryMiddleware
from prometheus_client import CollectorRegistry
from starlette.middleware.errors import ServerErrorMiddleware
from starlette.types import ASGIApp
from structlog.testing import capture_logs

from shared.edge_first import EdgeFirstApp
from shared.metrics import ServiceMetrics
from shared.problems import install_problem_handlers
from shared.request_edge import RequestEdge

router = APIRouter()


@router.get("/fault")
async def fault() -> str:
    raise RuntimeError("forced failure")


@router.get("/fine")
async def fine() -> str:
    return "fine"


def layers(stack: Any) -> list[type]:
    found: list[type] = []
    while stack is not None and len(found) < 20:
        found.append(type(stack))
        stack = getattr(stack, "app", None)
    return found


def edge_first_app(*, debug: bool = False) -> EdgeFirstApp:
    metrics = ServiceMetrics(CollectorRegistry(), "probe")

    def edge(inside: ASGIApp) -> ASGIApp:
        return RequestEdge(inside, metrics, max_header_bytes=8192, guard=lambda app: app)

    app = EdgeFirstApp(edge=edge, debug=debug)
    install_problem_handlers(app)
    app.include_router(router)
    return app


def test_the_edge_stands_outermost_where_the_error_middleware_stood() -> None:
    stack = layers(edge_first_app().build_middleware_stack())
    assert stack[0] is RequestEdge
    assert ServerErrorMiddleware not in stack
    assert ExceptionTelemetryMiddleware in stack  # FastAPI's other layers are kept inside
    # in debug mode the error middleware's traceback pages stay, inside the edge
    assert ServerErrorMiddleware in layers(edge_first_app(debug=True).build_middleware_stack())


async def test_an_unhandled_error_is_answered_once_as_a_problem_and_logged_once() -> None:
    transport = httpx.ASGITransport(app=edge_first_app(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://edge") as http:
        with capture_logs() as logs:
            failed = await http.get("/fault", headers={"X-Request-ID": "fault-1"})
        answered = await http.get("/fine")
    assert failed.status_code == 500
    assert failed.headers["content-type"] == "application/problem+json"
    assert failed.headers["x-request-id"] == "fault-1"
    assert failed.headers["x-content-type-options"] == "nosniff"
    [logged] = [entry for entry in logs if entry["event"] == "unhandled_error"]
    assert logged["path"] == "/fault" and logged["exc_info"]
    assert answered.status_code == 200 and answered.json() == "fine"
