"""Dependencies of the certification routes: today's date and the dates a route takes."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, Query, Request

from services.certification.adapters.clock import CLOCK
from shared.practice_time import CalendarDate, as_practice_datetime, refuse_future
from shared.service import Runtime, RuntimeDep


def today(runtime: RuntimeDep) -> date:
    """The service clock's date (a test sets it; production reads the system clock)."""
    return CLOCK.of(runtime).today()


async def today_of_request(runtime: RuntimeDep) -> date:
    """`today` as a dependency: async, so FastAPI calls it without a worker-thread hop."""
    return today(runtime)


async def today_on_request(request: Request) -> date:
    """`today_of_request`'s value reached from the request (a lean write's stand-in)."""
    runtime: Runtime = request.app.state.runtime
    return today(runtime)


Today = Annotated[date, Depends(today_of_request)]

AsOf = Annotated[
    CalendarDate | None,
    Query(description="any past date; today when left out"),
]


def refuse_after_today(value: date, field: str, today: date) -> None:
    """A practice date after the service's today is refused (422 naming the field)."""
    refuse_future(value, field, now=as_practice_datetime(today))
