"""The one place coaching's domain errors become RFC 9457 problems.

`InvalidFieldError` → 422, `PermissionRefusedError` → 403, `StateConflictError` → 409;
the detail is the domain's message, which already says what to fix, prefixed with the
field as the API names it. A unique-key race between two identical creates is a 409
that a retry resolves (the retry finds the stored record).
"""

from __future__ import annotations

import asyncpg
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from services.coaching.domain.errors import (
    CoachingError,
    InvalidFieldError,
    PermissionRefusedError,
    StateConflictError,
)
from shared.problems import Conflict, Forbidden, Problem, Unprocessable, problem_response

# Where the API's field names differ from the domain's.
API_FIELD_NAMES = {"source_kind": "source_type"}

_PROBLEMS: dict[type[CoachingError], type[Problem]] = {
    InvalidFieldError: Unprocessable,
    PermissionRefusedError: Forbidden,
    StateConflictError: Conflict,
}


def problem_for(error: CoachingError) -> Problem:
    field = API_FIELD_NAMES.get(error.field, error.field)
    message = error.message
    for domain_name, api_name in API_FIELD_NAMES.items():
        message = message.replace(domain_name, api_name)
    kind = next(
        (problem for cls, problem in _PROBLEMS.items() if isinstance(error, cls)), Unprocessable
    )
    return kind(f"{field}: {message}", extra={"errors": [{"field": field, "message": message}]})


def install_coaching_problems(app: FastAPI) -> None:
    @app.exception_handler(CoachingError)
    async def _domain_error(request: Request, exc: CoachingError) -> JSONResponse:
        problem = problem_for(exc)
        return problem_response(
            problem.status,
            problem.title,
            problem.detail,
            slug=problem.slug,
            instance=request.url.path,
            **problem.extra,
        )

    @app.exception_handler(asyncpg.UniqueViolationError)
    async def _created_concurrently(
        request: Request, exc: asyncpg.UniqueViolationError
    ) -> JSONResponse:
        return problem_response(
            409,
            "Concurrent modification",
            "the same record was being created by another request at the same moment; "
            "send the request again to get the stored record",
            slug="concurrency-conflict",
            instance=request.url.path,
        )
