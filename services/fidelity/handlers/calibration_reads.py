"""Reading calibration: reference meetings, gold standards, attempts, status on a date."""

from __future__ import annotations

import uuid
from datetime import date

from services.fidelity.adapters.calibration_rows import (
    find_attempt,
    find_reference,
    list_attempts,
    list_references,
)
from services.fidelity.adapters.instrument_rows import visible_instrument_keys
from services.fidelity.handlers.calibration import attempt_public, reference_public, statuses_on
from services.fidelity.handlers.cursors import date_and_seq, date_seq_key, page_of, seq_only
from services.fidelity.models.calibration import (
    AttemptPublic,
    CalibrationStatusOut,
    GoldStandard,
    InstrumentCalibrationOut,
    ReferencePublic,
)
from services.fidelity.models.observations import rating_bodies
from shared.pagination import Page, PageRequest
from shared.practice_time import now_utc
from shared.problems import NotFound
from shared.service import Runtime


async def get_reference(
    runtime: Runtime, agency_id: str, reference_id: uuid.UUID
) -> ReferencePublic:
    async with runtime.pool.acquire() as conn:
        row = await find_reference(conn, agency_id, reference_id)
    if row is None:
        raise NotFound(f"no calibration reference {reference_id} in this agency")
    return reference_public(row)


async def get_gold_standard(
    runtime: Runtime, agency_id: str, reference_id: uuid.UUID
) -> GoldStandard:
    async with runtime.pool.acquire() as conn:
        row = await find_reference(conn, agency_id, reference_id)
    if row is None:
        raise NotFound(f"no calibration reference {reference_id} in this agency")
    return GoldStandard(reference_id=row["id"], gold_ratings=rating_bodies(row["gold_ratings"]))


async def reference_page(
    runtime: Runtime, agency_id: str, instrument_key: str | None, page: PageRequest
) -> Page[ReferencePublic]:
    async with runtime.pool.acquire() as conn:
        rows = await list_references(
            conn,
            agency_id,
            instrument_key=instrument_key,
            after=seq_only(page),
            limit=page.limit + 1,
        )
    return page_of(rows, page.limit, lambda r: [r["seq"]], reference_public)


async def get_attempt(runtime: Runtime, agency_id: str, attempt_id: uuid.UUID) -> AttemptPublic:
    async with runtime.pool.acquire() as conn:
        row = await find_attempt(conn, agency_id, attempt_id)
    if row is None:
        raise NotFound(f"no calibration attempt {attempt_id} in this agency")
    return attempt_public(row)


async def attempt_page(
    runtime: Runtime, agency_id: str, observer_id: str, page: PageRequest
) -> Page[AttemptPublic]:
    async with runtime.pool.acquire() as conn:
        rows = await list_attempts(
            conn, agency_id, observer_id, after=date_and_seq(page), limit=page.limit + 1
        )
    return page_of(
        rows, page.limit, lambda r: date_seq_key(r["attempted_on"], r["seq"]), attempt_public
    )


async def calibration_status(
    runtime: Runtime,
    agency_id: str,
    observer_id: str,
    on_date: date | None,
    instrument_key: str | None = None,
) -> CalibrationStatusOut:
    """Status per instrument on a practice date (today by default); the same answer
    whenever asked. `instrument_key` narrows it to one instrument."""
    day = on_date or now_utc().date()
    async with runtime.pool.acquire() as conn:
        keys = await visible_instrument_keys(conn, agency_id)
        if instrument_key is not None:
            if instrument_key not in keys:
                raise NotFound(
                    f"no instrument {instrument_key!r} in this agency; GET /instruments lists them"
                )
            keys = [instrument_key]
        statuses = await statuses_on(conn, agency_id, observer_id, day, keys)
    return CalibrationStatusOut(
        observer_id=observer_id,
        on_date=day,
        instruments=[
            InstrumentCalibrationOut(
                instrument_key=status.instrument_key,
                calibrated=status.calibrated,
                attempt_id=status.attempt_id,
                expires_on=status.expires_on,
                reason=status.reason,
            )
            for status in statuses
        ],
    )
