"""HTTP shapes every learning router shares: paging, "as of", the create responses."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Query

from services.learning.handlers.context import LEARNING
from shared.pagination import PageRequest, page_request
from shared.practice_time import Moment
from shared.problems import PROBLEM_RESPONSES
from shared.service import Runtime

R = TypeVar("R")

Paging = Annotated[PageRequest, Depends(page_request)]
AsOf = Annotated[
    Moment | None,
    Query(description="the moment to look at (RFC 3339 with offset); now if absent"),
]

CREATE_RESPONSES: dict[int | str, dict[str, Any]] = {
    **PROBLEM_RESPONSES,
    200: {"description": "an identical retry: the record stored the first time"},
}


def moment(runtime: Runtime, as_of: datetime | None) -> datetime:
    return as_of if as_of is not None else LEARNING.of(runtime).clock()
