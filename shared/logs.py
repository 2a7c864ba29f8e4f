"""Logging of every service, configured once: structlog over the standard library.

JSON lines in production (one object per line, for a log shipper), a console rendering
locally; the level is a setting. Tracebacks never show local variables (structlog's
default console renderer would print them with `rich`, and with them every setting in
scope: passwords and the JWT secret). Each request gets an id, taken from `X-Request-ID`
when the caller sent a plausible one, made otherwise; it is returned in the answer,
bound into every log line written while the request runs (with the trace id, see
shared/request_edge.py), and recorded in the metadata of the events the request
appends. One access line per request, at INFO.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import time
from typing import Any

import structlog
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from structlog.tracebacks import ExceptionDictTransformer

from shared.config import ServiceSettings
from shared.database import is_unavailable

REQUEST_ID_HEADER = "x-request-id"
_PLAUSIBLE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
# the loggers of the server and libraries, rendered like ours instead of their own way
_FOREIGN_LOGGERS = ("uvicorn", "uvicorn.error", "asyncio", "nats")
# uvicorn's own access line would repeat ours without the request id's guarantees
_REPLACED_LOGGERS = ("uvicorn.access",)

# asyncpg's pool refills its minimum of connections in the background and, while the
# database is away (a restart, a failover), logs each failed try as a warning with the
# traceback: an expected outage the services already report and ride out
_OUTAGE_QUIETED_LOGGERS = ("asyncpg.pool",)


class OutageWithoutTraceback(logging.Filter):
    """A record whose exception says only that the database is unavailable keeps its
    message and level, and names the error, without the traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if error is not None and is_unavailable(error):
            record.msg = f"{record.getMessage()} ({error!r})"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True


access_log = structlog.get_logger("miiwrap.access")
_access_level = logging.getLogger("miiwrap.access")  # whose level decides (the root's)
error_log = structlog.get_logger("miiwrap.errors")


def _renderers(json_lines: bool) -> list[Any]:
    if json_lines:
        return [
            structlog.processors.ExceptionRenderer(ExceptionDictTransformer(show_locals=False)),
            structlog.processors.JSONRenderer(),
        ]
    return [
        structlog.dev.ConsoleRenderer(
            colors=False, exception_formatter=structlog.dev.plain_traceback
        )
    ]


def configure_logging(settings: ServiceSettings) -> None:
    """Set up structlog and the standard library's root logger (idempotent)."""
    json_lines = settings.log_format == "json" or (
        settings.log_format == "auto" and settings.environment == "production"
    )
    common: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[
            *common,
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=common,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            *_renderers(json_lines),
        ],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    handler.set_name("miiwrap")
    root = logging.getLogger()
    root.handlers = [h for h in root.handlers if h.get_name() != "miiwrap"] + [handler]
    root.setLevel(settings.log_level)
    for name in _FOREIGN_LOGGERS:
        foreign = logging.getLogger(name)
        foreign.handlers = []
        foreign.propagate = True
    for name in _OUTAGE_QUIETED_LOGGERS:
        quieted = logging.getLogger(name)
        quieted.filters = [f for f in quieted.filters if not isinstance(f, OutageWithoutTraceback)]
        quieted.addFilter(OutageWithoutTraceback())
    for name in _REPLACED_LOGGERS:
        replaced = logging.getLogger(name)
        replaced.handlers = []
        replaced.propagate = False


_REQUEST_ID_HEADER = REQUEST_ID_HEADER.encode()


def log_access(scope: Scope, status: int, started: float) -> None:
    """The access line of a request answered `status`, begun at `perf_counter` `started`."""
    # below the configured level the line is dropped only after every processor ran
    # (context, timestamp): asked first, a request skips them
    if _access_level.isEnabledFor(logging.INFO):
        access_log.info(
            "request",
            method=scope.get("method"),
            path=scope.get("path"),
            status=status,
            duration_ms=round((time.perf_counter() - started) * 1000, 1),
        )


def request_id_from(headers: list[tuple[bytes, bytes]]) -> str:
    for name, value in headers:
        if name == _REQUEST_ID_HEADER:
            candidate = value.decode("latin-1")
            if _PLAUSIBLE_REQUEST_ID.match(candidate):
                return candidate
    # 128 random bits as 32 hex digits, as a UUID4's hex but without building the UUID
    return os.urandom(16).hex()


def current_request_id() -> str | None:
    value = structlog.contextvars.get_contextvars().get("request_id")
    return str(value) if value is not None else None


def internal_error_response(request_id: str, path: str | None) -> JSONResponse:
    """The 500 of an unhandled error, naming the request id it was logged under.

    The problem body of `shared.problems`, built here: that module imports the store,
    which imports this one."""
    return JSONResponse(
        {
            "type": "about:blank",
            "title": "Internal error",
            "status": 500,
            "detail": "the server failed to handle this request; it has been "
            f"logged under request id {request_id}",
            "instance": path,
        },
        status_code=500,
        media_type="application/problem+json",
    )


class RequestLogging:
    """Request id in, request id out, one access line per request: for an app without the
    kernel's `RequestEdge` (shared/request_edge.py), which does the same for a service."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_from(scope.get("headers") or [])
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [
                    (k, v) for k, v in message.get("headers", []) if k.lower() != _REQUEST_ID_HEADER
                ]
                headers.append((_REQUEST_ID_HEADER, request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        started_answer = False

        async def send_tracked(message: Message) -> None:
            nonlocal started_answer
            started_answer = started_answer or message["type"] == "http.response.start"
            await send_with_id(message)

        # bound without a context manager around it (every request pays for one)
        bound = structlog.contextvars.bind_contextvars(request_id=request_id)
        try:
            await self.app(scope, receive, send_tracked)
        except Exception:
            # logged here, with the request id bound (Starlette's own error middleware
            # sits outside every other and would log it without), and answered as a
            # problem; a traceback never carries local variables (see above)
            status = 500
            error_log.exception("unhandled_error", path=scope.get("path"))
            if not started_answer:
                response = internal_error_response(request_id, scope.get("path"))
                await response(scope, receive, send_with_id)
        finally:
            log_access(scope, status, started)
            structlog.contextvars.reset_contextvars(**bound)
