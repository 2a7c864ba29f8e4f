"""Dependencies of the certification routes: today's date, and who may read whom."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, Query

from services.certification.domain.evidence import EARLIEST_PRACTICE_DATE
from services.certification.handlers.clock import clock_of
from services.certification.permissions import AGENCY_WIDE_READERS
from shared.auth import Principal
from shared.practice_time import as_practice_datetime, refuse_future
from shared.problems import Forbidden
from shared.service import RuntimeDep


def today(runtime: RuntimeDep) -> date:
    """The service clock's date (a test sets it; production reads the system clock)."""
    return clock_of(runtime).today()


Today = Annotated[date, Depends(today)]

AsOf = Annotated[
    date | None,
    Query(ge=EARLIEST_PRACTICE_DATE, description="any past date; today when left out"),
]


def ensure_may_read(principal: Principal, practitioner_id: str) -> None:
    """A practitioner reads only their own record; agency-wide readers read anyone's."""
    if principal.has_any(AGENCY_WIDE_READERS):
        return
    if principal.subject != practitioner_id:
        raise Forbidden("a practitioner may read only their own certification")


def refuse_after_today(value: date, field: str, today: date) -> None:
    """A practice date after the service's today is refused (422 naming the field)."""
    refuse_future(value, field, now=as_practice_datetime(today))
