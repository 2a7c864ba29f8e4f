"""How a create answers: 201 for a new record, 200 for an idempotent repeat."""

from __future__ import annotations

from typing import Any, TypeVar

from fastapi import Response

from shared.idempotency import Recorded

T = TypeVar("T")


def answered(recorded: Recorded[T], response: Response) -> T:
    response.status_code = 201 if recorded.created else 200
    return recorded.record


def repeat_response(model: type[Any]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI: the 200 a repeated create answers with."""
    return {
        200: {"model": model, "description": "a repeat of an earlier create: the stored record"}
    }
