"""The request edge refuses a NUL in a path or query, except where a path parses its own."""

from __future__ import annotations

import httpx
from prometheus_client import CollectorRegistry
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from shared.metrics import ServiceMetrics
from shared.request_edge import RequestEdge
from shared.request_guard import RequestBodyGuard

EXEMPT = ("/xapi",)


async def answered(scope: Scope, receive: Receive, send: Send) -> None:
    await PlainTextResponse(f"{scope['method']} {scope['path']}")(scope, receive, send)


def edge() -> ASGIApp:
    def guarded(app: ASGIApp) -> ASGIApp:
        return RequestBodyGuard(app, max_bytes=1024, exempt_prefixes=EXEMPT)

    metrics = ServiceMetrics(CollectorRegistry(), "probe")
    return RequestEdge(
        answered, metrics, max_header_bytes=8192, guard=guarded, exempt_prefixes=EXEMPT
    )


async def test_a_nul_in_a_query_is_refused_except_under_an_exempt_prefix() -> None:
    transport = httpx.ASGITransport(app=edge())
    async with httpx.AsyncClient(transport=transport, base_url="http://edge") as http:
        for method in ("GET", "DELETE", "POST"):
            refused = await http.request(method, "/notes?text=a%00b")
            assert refused.status_code == 422, method
            assert "NUL" in refused.json()["detail"]
            assert refused.headers["x-content-type-options"] == "nosniff"
            assert refused.headers["x-request-id"]
            kept = await http.request(method, "/xapi/statements?text=a%00b")
            assert kept.status_code == 200, method
            assert kept.text == f"{method} /xapi/statements"


async def test_an_answer_to_an_authenticated_request_is_not_stored_by_caches() -> None:
    transport = httpx.ASGITransport(app=edge())
    async with httpx.AsyncClient(transport=transport, base_url="http://edge") as http:
        signed_in = await http.get("/notes", headers={"Authorization": "Bearer x"})
        anonymous = await http.get("/notes", headers={"X-Request-ID": "req-1"})
    assert signed_in.headers["cache-control"] == "no-store"
    assert "cache-control" not in anonymous.headers
    assert anonymous.headers["x-request-id"] == "req-1"
