"""One way to serve every xAPI resource: syntax, version, credentials, errors, headers.

`serve` reads the request (either syntax), picks the resource's handler for the
intended method (405 if it has none), checks X-Experience-API-Version and the Basic
credentials, runs the handler and turns every refusal into an RFC 9457 problem with
the status code the spec prescribes: 400 invalid, 401 credentials, 404, 409
conflicting Statement or unguarded overwrite, 412 failed precondition. Every response
carries X-Experience-API-Version; Statement resource responses also carry
X-Experience-API-Consistent-Through; a GET gets an ETag; HEAD answers as GET would,
without the body.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import structlog
from starlette.requests import Request
from starlette.responses import Response

from shared.problems import Problem, problem_response

from ..documents import OverwriteWithoutPrecondition, PreconditionFailed, PreconditionMissing
from ..errors import QueryInvalid, RequestInvalid, StatementInvalid
from ..formats import format_timestamp
from ..limits import TooLarge
from ..recording import StatementConflict
from .auth import CHALLENGE, NotAuthenticated, authenticate
from .lrs import Lrs, LrsClient, lrs_of_request
from .protocol import XAPI_VERSION, XapiRequest, check_version, read_xapi_request

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class XapiCall:
    request: XapiRequest
    lrs: Lrs
    client: LrsClient | None

    @property
    def agency_id(self) -> str:
        if self.client is None:
            raise RuntimeError("this resource is served without credentials")
        return self.client.agency_id

    @property
    def authenticated(self) -> LrsClient:
        if self.client is None:
            raise RuntimeError("this resource is served without credentials")
        return self.client


Handler = Callable[[XapiCall], Awaitable[Response]]


async def serve(
    http: Request,
    handlers: Mapping[str, Handler],
    *,
    anonymous: bool = False,
    statements_resource: bool = False,
) -> Response:
    lrs = lrs_of_request(http)
    method = http.method
    try:
        request = await read_xapi_request(http)
        method = request.method
        handler = handlers.get("GET" if method == "HEAD" else method)
        if handler is None:
            allowed = ", ".join(sorted({*handlers, "HEAD"} if "GET" in handlers else handlers))
            response = _problem(
                http,
                405,
                "Method not allowed",
                f"{method} is not allowed here; use {allowed}",
                headers={"Allow": allowed},
            )
        else:
            client = None
            if not anonymous:
                check_version(request)
                client = await authenticate(lrs, request)
            response = await handler(XapiCall(request, lrs, client))
    except Exception as error:  # every refusal becomes a problem carrying the xAPI headers
        response = _refusal(http, error)
    response.headers["X-Experience-API-Version"] = XAPI_VERSION
    if statements_resource:
        through = await lrs.consistent_through()
        response.headers["X-Experience-API-Consistent-Through"] = format_timestamp(through)
    if method in ("GET", "HEAD") and response.status_code == 200 and "etag" not in response.headers:
        response.headers["ETag"] = (
            f'"{hashlib.sha1(response.body, usedforsecurity=False).hexdigest()}"'
        )
    return _without_body(response) if method == "HEAD" else response


def _refusal(http: Request, error: Exception) -> Response:
    if isinstance(error, StatementInvalid):
        extra: dict[str, Any] = {
            "errors": [{"field": error.path or "statement", "message": error.detail}]
        }
        return _problem(
            http, 400, "Invalid statement", str(error), slug="xapi-invalid-statement", **extra
        )
    if isinstance(error, QueryInvalid):
        extra = {"errors": [{"field": error.parameter or "query", "message": error.detail}]}
        return _problem(http, 400, "Invalid query", str(error), slug="xapi-invalid-query", **extra)
    if isinstance(error, RequestInvalid):
        return _problem(
            http, 400, "Invalid xAPI request", error.detail, slug="xapi-invalid-request"
        )
    if isinstance(error, NotAuthenticated):
        return _problem(
            http,
            401,
            "Authentication required",
            error.detail,
            slug="unauthorized",
            headers={"WWW-Authenticate": CHALLENGE},
        )
    if isinstance(error, TooLarge):
        return _problem(http, 413, "Too large for this LRS", error.detail, slug="payload-too-large")
    if isinstance(error, StatementConflict):
        return _problem(
            http, 409, "Conflicting statement", str(error), slug="xapi-statement-conflict"
        )
    if isinstance(error, PreconditionFailed):
        return _problem(
            http,
            412,
            "Precondition failed",
            "the document changed (or exists) contrary to If-Match / If-None-Match; GET it "
            "again and retry with its current ETag",
            slug="precondition-failed",
        )
    if isinstance(error, OverwriteWithoutPrecondition):
        return _problem(
            http,
            409,
            "Document exists",
            "this document already exists: check its current state (GET it), then PUT again "
            "with If-Match set to its ETag (or If-None-Match: * to create only)",
            slug="xapi-document-exists",
        )
    if isinstance(error, PreconditionMissing):
        return _problem(
            http,
            400,
            "Precondition required",
            "a profile PUT needs If-None-Match: * (to create) or If-Match: <ETag> (to replace)",
            slug="xapi-precondition-required",
        )
    if isinstance(error, Problem):
        return _problem(
            http, error.status, error.title, error.detail, slug=error.slug, **error.extra
        )
    log.exception("xapi_unhandled_error", path=http.url.path)
    return _problem(
        http,
        500,
        "Internal error",
        "the server failed to handle this request; it has been logged, nothing was stored",
    )


def _problem(
    http: Request,
    status: int,
    title: str,
    detail: str,
    *,
    slug: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    return problem_response(
        status, title, detail, slug=slug, instance=http.url.path, headers=headers, **extra
    )


def _without_body(response: Response) -> Response:
    bare = Response(status_code=response.status_code)
    bare.raw_headers = list(response.raw_headers)
    return bare
