"""The edge of every HTTP request, in one ASGI layer: telemetry, request id and access line,
the header limit and the headers every answer carries, then the body checks.

In order, for each request:

- telemetry: a server span (or, with tracing off, only the caller's W3C `traceparent`
  carried, or a fresh trace) is current while the request runs, so the events it appends
  carry it; its trace id is bound into the log context; the request is counted in the
  metrics by route template (`/practitioners/{practitioner_id}`, never the raw path, so ids
  do not multiply the series; a path no route matches counts as `unmatched`). Probes and
  scrapes are counted, never traced;
- logging: a request id (the caller's `X-Request-ID` when plausible, made otherwise) is
  bound into every log line while the request runs and returned in the answer; one access
  line per request at INFO; an unhandled error is logged with the request id bound and
  answered as a 500 problem naming it;
- headers: all request headers together over the limit → 431; every answer carries
  `X-Content-Type-Options: nosniff` and no `Server`, and an answer to an authenticated
  request `Cache-Control: no-store`;
- bodies: a POST, PUT or PATCH goes through `RequestBodyGuard` and `IdempotencyKeys`
  (shared/request_guard.py, shared/idempotency_middleware.py); any other request has no
  body to check or key to honour, and only its path and query are checked for a NUL
  (not under the exempt prefixes, which parse their own, as the body guard leaves them);
- lean answers: a GET the app's routes give to a route with a lean answer is answered
  from here, past the routing (shared/lean_dispatch.py), unless the answer steps aside;
  so is a POST, inside the body checks, to a create with a lean write
  (shared/lean_write.py).

One layer where there were five: each pure-ASGI middleware cost a coroutine call and, for
the three that changed the answer, a wrapper of `send` and a copy of the start message, on
every request; here one wrapper changes the answer's headers in one pass.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import structlog
from fastapi import FastAPI
from opentelemetry.trace import Span, SpanKind, Status, StatusCode
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.lean_dispatch import LeanDispatch
from shared.logs import (
    REQUEST_ID_HEADER,
    error_log,
    internal_error_response,
    log_access,
    request_id_from,
)
from shared.metrics import ServiceMetrics
from shared.problems import problem_response
from shared.request_guard import BODY_METHODS, read_body, refused_target, replayed
from shared.tracing import TRACEPARENT, carry_request_trace, detach_trace, span, tracing_enabled

UNMATCHED = "unmatched"
# probes and scrapes every few seconds: counted, never traced (they would bury the rest)
UNTRACED_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})

_TRACEPARENT_HEADER = TRACEPARENT.encode()
_REQUEST_ID = REQUEST_ID_HEADER.encode()
_AUTHORIZATION = b"authorization"
_NOSNIFF = (b"x-content-type-options", b"nosniff")
_NO_STORE = (b"cache-control", b"no-store")
# the answer's own values of these are replaced by the edge's
_REPLACED = frozenset({b"server", b"x-content-type-options", _REQUEST_ID})
_REPLACED_WHEN_AUTHENTICATED = _REPLACED | {b"cache-control"}


def route_template(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else UNMATCHED


def _traceparent(scope: Scope) -> str | None:
    for name, value in scope.get("headers") or []:
        if name == _TRACEPARENT_HEADER:
            return str(value.decode("latin-1"))
    return None


def edge_headers(
    headers: list[tuple[bytes, bytes]], request_id: bytes, *, authenticated: bool
) -> list[tuple[bytes, bytes]]:
    """The answer's headers as they leave: nosniff, the request id, no `Server`, and
    `Cache-Control: no-store` on an answer to an authenticated request."""
    replaced = _REPLACED_WHEN_AUTHENTICATED if authenticated else _REPLACED
    kept = [(k, v) for k, v in headers if k.lower() not in replaced]
    kept.append(_NOSNIFF)
    if authenticated:
        kept.append(_NO_STORE)
    kept.append((_REQUEST_ID, request_id))
    return kept


class RequestEdge:
    """The kernel's outermost middleware (see the module's docstring); `guard` wraps the
    app in the body checks a POST, PUT or PATCH goes through."""

    def __init__(
        self,
        app: ASGIApp,
        metrics: ServiceMetrics,
        max_header_bytes: int,
        guard: Callable[[ASGIApp], ASGIApp],
        exempt_prefixes: Sequence[str] = (),
    ) -> None:
        self.app = app
        # a POST's lean write is asked inside the body checks, which it needs done
        self.guarded = guard(self._lean_write_or_app)
        # paths that parse their own parameters too (the body guard's exempt prefixes)
        self.exempt_prefixes = tuple(exempt_prefixes)
        self.metrics = metrics
        self.max_header_bytes = max_header_bytes
        self.lean: LeanDispatch | None = None  # of the app, built at its first GET

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope.get("path") in UNTRACED_PATHS:
            await self._answer(scope, receive, send, None, None)
            return
        if not tracing_enabled():  # the trace is only carried: no span to make or name
            token, carried_id = carry_request_trace(_traceparent(scope))
            try:
                await self._answer(scope, receive, send, None, format(carried_id, "032x"))
            finally:
                detach_trace(token)
            return
        method = str(scope.get("method", "GET"))
        with span(
            method,
            kind=SpanKind.SERVER,
            parent=_traceparent(scope),
            service=self.metrics.service,
            attributes={"http.request.method": method, "url.path": str(scope.get("path"))},
            start_trace=True,
        ) as current:
            trace_id = format(current.get_span_context().trace_id, "032x")
            await self._answer(scope, receive, send, current, trace_id)

    def _dispatch(self, scope: Scope) -> LeanDispatch | None:
        app = scope.get("app")
        if not isinstance(app, FastAPI):
            return None
        lean = self.lean
        if lean is None or not lean.current_for(app):  # built again if routes were added
            lean = self.lean = LeanDispatch(app)
        return lean

    async def _answered_lean(self, scope: Scope, receive: Receive, send: Send) -> bool:
        """Whether the GET was answered by the lean answer of the route it reaches."""
        lean = self._dispatch(scope)
        if lean is None:
            return False
        target = lean.target_of(scope)
        return target is not None and await lean.answer(target, scope, receive, send)

    async def _lean_write_or_app(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A checked POST: the lean write of the route it reaches (shared/lean_write.py),
        or the app; each reads the body afresh (the lean write may step aside after
        reading it)."""
        lean = self._dispatch(scope) if scope["method"] == "POST" else None
        target = None if lean is None else lean.target_of(scope)
        if lean is None or target is None:
            await self.app(scope, receive, send)
            return
        body = await read_body(receive)
        if not await lean.answer(target, scope, replayed(body), send):
            await self.app(scope, replayed(body), send)

    async def _answer(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        current: Span | None,
        trace_id: str | None,
    ) -> None:
        started = time.perf_counter()
        method = str(scope.get("method", "GET"))
        raw_headers: list[tuple[bytes, bytes]] = scope.get("headers") or []
        request_id = request_id_from(raw_headers)
        request_id_bytes = request_id.encode()
        size = 0
        authenticated = False
        for name, value in raw_headers:
            size += len(name) + len(value) + 4
            if name == _AUTHORIZATION:
                authenticated = True
        too_large = size > self.max_header_bytes
        authenticated = authenticated and not too_large  # a 431 is no answer to a caller
        status = 500
        started_answer = False

        async def send_edge(message: Message) -> None:
            nonlocal status, started_answer
            if message["type"] == "http.response.start":
                started_answer = True
                status = int(message["status"])
                headers = edge_headers(
                    message.get("headers", []), request_id_bytes, authenticated=authenticated
                )
                message = {**message, "headers": headers}
            await send(message)

        # bound in one call, without a context manager around it (every request pays)
        if trace_id is None:  # a probe or a scrape
            bound = structlog.contextvars.bind_contextvars(request_id=request_id)
        else:
            bound = structlog.contextvars.bind_contextvars(trace_id=trace_id, request_id=request_id)
        try:
            if too_large:
                await problem_response(
                    431,
                    "Request headers too large",
                    f"the request headers are {size} bytes together; the limit is "
                    f"{self.max_header_bytes} bytes",
                    slug="headers-too-large",
                    instance=scope.get("path"),
                )(scope, receive, send_edge)
            elif method in BODY_METHODS:
                await self.guarded(scope, receive, send_edge)
            else:
                path: str = scope.get("path", "")
                exempt = bool(self.exempt_prefixes) and path.startswith(self.exempt_prefixes)
                refused = None if exempt else refused_target(scope)
                if refused is not None:
                    await refused(scope, receive, send_edge)
                elif method != "GET" or not await self._answered_lean(scope, receive, send_edge):
                    await self.app(scope, receive, send_edge)
        except Exception:
            # logged here, with the request id bound, and answered as a problem: the
            # edge stands where Starlette's error middleware stood (shared/edge_first.py)
            status = 500
            error_log.exception("unhandled_error", path=scope.get("path"))
            if not started_answer:
                await internal_error_response(request_id, scope.get("path"))(
                    scope, receive, send_edge
                )
        finally:
            elapsed = time.perf_counter() - started
            log_access(scope, status, started)
            structlog.contextvars.reset_contextvars(**bound)
            route = route_template(scope)
            self.metrics.count_request(method, route, status, elapsed)
            if current is not None and current.is_recording():
                current.update_name(f"{method} {route}")
                current.set_attribute("http.route", route)
                current.set_attribute("http.response.status_code", status)
                if status >= 500:
                    current.set_status(Status(StatusCode.ERROR))
