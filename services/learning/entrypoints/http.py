"""HTTP shapes every learning router shares: paging, "as of", created-or-retried status."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Query, Response
from pydantic import AwareDatetime

from services.learning.handlers import Recorded
from services.learning.handlers.context import LEARNING
from shared.pagination import PageRequest, page_request
from shared.problems import PROBLEM_RESPONSES
from shared.service import Runtime

R = TypeVar("R")

Paging = Annotated[PageRequest, Depends(page_request)]
AsOf = Annotated[
    AwareDatetime | None,
    Query(description="the moment to look at (RFC 3339 with offset); now if absent"),
]

CREATE_RESPONSES: dict[int | str, dict[str, Any]] = {
    **PROBLEM_RESPONSES,
    200: {"description": "an identical retry: the record stored the first time"},
}


def moment(runtime: Runtime, as_of: datetime | None) -> datetime:
    return as_of if as_of is not None else LEARNING.of(runtime).clock()


def created_or_retried(result: Recorded[R], response: Response) -> R:
    """201 for a new record, 200 for an identical retry of one already stored."""
    response.status_code = 201 if result.created else 200
    return result.record
