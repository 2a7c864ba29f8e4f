"""RFC 9457 problem details for every error response, and the exceptions that map to them.

Routes raise `Problem` subclasses (or domain errors the service maps); FastAPI's own
validation errors, HTTP errors, store conflicts and anything unexpected all leave as
`application/problem+json` with a title and a detail telling the caller what to fix.
Nothing internal (stack traces, SQL) ever reaches the response body.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import asyncpg
import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.database import UNAVAILABLE_ERRORS
from shared.eventstore import ConcurrencyConflict

log = structlog.get_logger(__name__)

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://miiwrap.org/problems/"


class ProblemDetail(BaseModel):
    """The RFC 9457 body (used for OpenAPI documentation of error responses)."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[dict[str, Any]] | None = None


class Problem(Exception):
    status = 400
    title = "Bad request"
    slug = "bad-request"

    def __init__(
        self,
        detail: str,
        *,
        extra: dict[str, Any] | None = None,
        title: str | None = None,
        slug: str | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra or {}
        if title is not None:
            self.title = title
        if slug is not None:
            self.slug = slug

    def response(self, instance: str | None = None) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if self.status == 401 else None
        return problem_response(
            self.status,
            self.title,
            self.detail,
            slug=self.slug,
            instance=instance,
            headers=headers,
            **self.extra,
        )


class NotFound(Problem):
    status, title, slug = 404, "Not found", "not-found"


class Conflict(Problem):
    status, title, slug = 409, "Conflict", "conflict"


class Unprocessable(Problem):
    status, title, slug = 422, "Invalid request", "invalid-request"


class Unauthorized(Problem):
    status, title, slug = 401, "Authentication required", "unauthorized"


class Forbidden(Problem):
    status, title, slug = 403, "Forbidden", "forbidden"


class PayloadTooLarge(Problem):
    status, title, slug = 413, "Request body too large", "payload-too-large"


class UnsupportedMediaType(Problem):
    status, title, slug = 415, "Unsupported media type", "unsupported-media-type"


def problem_response(
    status: int,
    title: str,
    detail: str,
    *,
    slug: str | None = None,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + slug if slug else "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or str(loc[0] if loc else "request")


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        return exc.response(request.url.path)

    @app.exception_handler(asyncpg.UniqueViolationError)
    async def _created_concurrently(
        request: Request, exc: asyncpg.UniqueViolationError
    ) -> JSONResponse:
        # two requests creating the same record at the same moment: one committed first
        return problem_response(
            409,
            "Concurrent modification",
            "the same record was being created by another request at the same moment; "
            "send the request again to get the stored record",
            slug="concurrency-conflict",
            instance=request.url.path,
        )

    @app.exception_handler(ConcurrencyConflict)
    async def _conflict(request: Request, exc: ConcurrencyConflict) -> JSONResponse:
        return problem_response(
            409,
            "Concurrent modification",
            str(exc),
            slug="concurrency-conflict",
            instance=request.url.path,
        )

    @app.exception_handler(asyncpg.DataError)
    async def _unstorable(request: Request, exc: asyncpg.DataError) -> JSONResponse:
        # "invalid input for query argument": a value the model let through but the
        # column cannot hold (an integer beyond its range, say); the request is at fault
        log.warning("unstorable_value", path=request.url.path, error=type(exc).__name__)
        return problem_response(
            422,
            "Invalid request",
            "a value in the request is outside what can be stored (too large a number, or "
            "too long a text); send a smaller value",
            slug="invalid-request",
            instance=request.url.path,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": _field_path(e.get("loc", ())), "message": e.get("msg", "invalid")}
            for e in exc.errors()
        ]
        first = errors[0] if errors else {"field": "request", "message": "invalid"}
        detail = f"{first['field']}: {first['message']}"
        if len(errors) > 1:
            detail += f" (and {len(errors) - 1} more problem(s), listed in 'errors')"
        return problem_response(
            422,
            "Invalid request",
            detail,
            slug="invalid-request",
            instance=request.url.path,
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        titles = {404: "Not found", 405: "Method not allowed", 401: "Authentication required"}
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"no resource at {request.url.path}; see /docs for the API"
        return problem_response(
            exc.status_code,
            titles.get(exc.status_code, "Error"),
            detail,
            instance=request.url.path,
            headers=dict(exc.headers or {}) or None,
        )

    async def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
        # the outcome of a write may be unknown (the connection broke around its COMMIT):
        # the client retries with the same id, which the idempotent creates make safe
        log.warning("database_unavailable", path=request.url.path, error=repr(exc))
        return problem_response(
            503,
            "Service unavailable",
            "the database could not be reached to finish this request; retry in a moment "
            "with the same request (and the same id, if you sent one): a write that did "
            "go through is not stored twice",
            slug="database-unavailable",
            instance=request.url.path,
            headers={"Retry-After": "1"},
        )

    for unavailable in UNAVAILABLE_ERRORS:
        app.add_exception_handler(unavailable, _database_unavailable)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled_error", path=request.url.path)
        return problem_response(
            500,
            "Internal error",
            "the server failed to handle this request; it has been logged, nothing was stored",
            instance=request.url.path,
        )


def install_domain_errors(
    app: FastAPI, mapping: Mapping[type[Exception], Callable[[Any], Problem]]
) -> None:
    """Render each service domain error as the problem its mapping function returns."""
    for error_type, to_problem in mapping.items():

        async def _domain_error(
            request: Request, exc: Exception, to_problem: Callable[[Any], Problem] = to_problem
        ) -> JSONResponse:
            return to_problem(exc).response(request.url.path)

        app.add_exception_handler(error_type, _domain_error)


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": ProblemDetail, "content": {PROBLEM_JSON: {}}, "description": description}
    for code, description in {
        400: "Bad request",
        401: "No or invalid credentials",
        403: "Not allowed for this principal",
        404: "Not found in this agency",
        409: "Conflicts with the current state",
        422: "Invalid request",
        503: "The database is unreachable; retry with the same request",
    }.items()
}
