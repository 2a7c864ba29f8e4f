"""The clock: re-evaluate practitioners whose status time alone may have moved.

Each evaluation stores the next day on which time could change the practitioner's
status (`next_change_on`: tenure reached, an observation ageing out, the at-risk
clock running out). The periodic job picks everyone due by today, a batch per
transaction, so a lapse is published on its day with no new event.
"""

from __future__ import annotations

from datetime import date, timedelta

import structlog

from services.certification.adapters import locks, status_rows, window_rows
from services.certification.adapters.clock import CLOCK
from services.certification.config import certification_settings
from services.certification.handlers.evaluation import refresh
from shared.eventstore import EventStore
from shared.practice_time import now_utc
from shared.service import Runtime

log = structlog.get_logger(__name__)


async def reevaluate_due(store: EventStore, today: date, batch_size: int = 200) -> int:
    """Re-evaluate everyone due by ``today``; returns how many practitioners were evaluated.

    One transaction per practitioner keeps locks short; an evaluated practitioner is
    as of today, so it is not picked again and the loop ends.
    """
    evaluated = 0
    while True:
        async with store.pool.acquire() as conn:
            due = await status_rows.due_for_clock(conn, today, batch_size)
        for agency_id, practitioner_id in due:
            async with store.transaction() as conn:
                await locks.share_agency(conn, agency_id)
                await locks.own_practitioners(conn, agency_id, [practitioner_id])
                await refresh(conn, store, agency_id, practitioner_id, today)
        evaluated += len(due)
        if len(due) < batch_size:
            return evaluated


async def clock_tick(runtime: Runtime) -> None:
    """The periodic job (`ServiceDefinition.periodic_jobs`).

    An agency with an open import window is evaluated but held like any write; a
    window left open past the overdue limit is logged, since its apps hear nothing.
    """
    settings = certification_settings(runtime.settings)
    await reevaluate_due(runtime.store, CLOCK.of(runtime).today(), settings.clock_batch_size)
    limit = now_utc() - timedelta(hours=settings.import_window_overdue_hours)
    async with runtime.pool.acquire() as conn:
        for row in await window_rows.open_windows_opened_before(conn, limit):
            log.warning(
                "import_window_overdue",
                agency_id=row["agency_id"],
                window_id=row["window_id"],
                opened_at=row["opened_at"].isoformat(),
            )
