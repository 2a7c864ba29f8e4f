"""A FastAPI app whose outermost layer is the kernel's edge (shared/request_edge.py).

FastAPI builds its middleware stack with three layers of its own outside every middleware
an app adds: Starlette's `ServerErrorMiddleware` (an unhandled error answered as a 500 by
the app's handler, then raised again), FastAPI's `ExceptionTelemetryMiddleware` (an error
noted for its own telemetry, off in a service) and `AppBodyLimitMiddleware` (FastAPI's
body limits, unused: the edge's body guard checks bodies). Each is a coroutine call on
every request, and the first wraps `send`, before the edge is even reached.

Here the edge takes `ServerErrorMiddleware`'s place, outermost: it already logs every
unhandled error with the request id bound and answers it as a 500 problem, so the error
middleware never saw one. A GET with a lean answer is then answered without passing any
of FastAPI's layers; every other request goes on through FastAPI's remaining layers as
before (the error-telemetry and body-limit layers, the app's exception handlers, routing).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from starlette.middleware.errors import ServerErrorMiddleware
from starlette.types import ASGIApp

Edge = Callable[[ASGIApp], ASGIApp]


class EdgeFirstApp(FastAPI):
    """A FastAPI app served through `edge`, built around the rest of FastAPI's stack."""

    def __init__(self, *, edge: Edge, **options: Any) -> None:
        self.edge = edge
        super().__init__(**options)

    def build_middleware_stack(self) -> ASGIApp:
        stack = super().build_middleware_stack()
        if isinstance(stack, ServerErrorMiddleware) and not self.debug:
            stack = stack.app  # the edge answers and logs what it would have
        return self.edge(stack)
