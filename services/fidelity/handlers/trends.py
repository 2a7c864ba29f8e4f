"""A practitioner's fidelity trend (the series a coach charts) and the drift signals."""

from __future__ import annotations

import dataclasses
import uuid

import asyncpg

from services.fidelity.adapters.drift_rows import (
    DriftFilter,
    find_drift_signal,
    list_drift_signals,
)
from services.fidelity.adapters.observation_rows import counted_history
from services.fidelity.config import fidelity_settings
from services.fidelity.domain.trend import TrendPoint, fidelity_trend
from services.fidelity.handlers.cursors import date_and_seq, date_seq_key, page_of
from services.fidelity.handlers.drift import score_from_row
from services.fidelity.handlers.observers import readable_practitioner
from services.fidelity.models.trends import (
    DomainTrendOut,
    DriftSignalOut,
    FidelityTrendOut,
    TrendPointOut,
)
from services.fidelity.permissions import own_records_only
from shared.auth import Principal
from shared.pagination import Page, PageRequest
from shared.problems import NotFound, Unprocessable
from shared.service import Runtime

COUNTS = (
    "first observations of a meeting (not co-observations) by observers who were "
    "calibrated on the meeting date"
)
# the latest signals shown beside the chart; the full list is GET /drift-signals
MAX_SIGNALS_IN_TREND = 500


def drift_signal_public(row: asyncpg.Record) -> DriftSignalOut:
    return DriftSignalOut.model_validate(dict(row))


def _point(point: TrendPoint) -> TrendPointOut:
    return TrendPointOut(
        observation_id=point.observation_id,
        meeting_date=point.practice_date,
        total=point.total,
        band=point.band,
        rolling_total=point.rolling_total,
        rolling_band=point.rolling_band,
        window=list(point.window),
        domains=[
            DomainTrendOut(
                domain_id=domain_id,
                score=domain.score,
                rolling=domain.rolling,
                rolling_band=domain.rolling_band,
            )
            for domain_id, domain in point.domains.items()
        ],
    )


async def practitioner_trend(
    runtime: Runtime,
    principal: Principal,
    practitioner_id: str,
    instrument_key: str,
    window: int | None,
) -> FidelityTrendOut:
    readable_practitioner(principal, practitioner_id)
    size = window or fidelity_settings(runtime).drift_window
    agency = principal.agency_id
    async with runtime.pool.acquire() as conn:
        history = await counted_history(conn, agency, practitioner_id, instrument_key)
        signals = await list_drift_signals(
            conn,
            agency,
            DriftFilter(practitioner_id=practitioner_id, instrument_key=instrument_key),
            after=None,
            limit=MAX_SIGNALS_IN_TREND,
        )
    points = fidelity_trend([score_from_row(r) for r in history], size)
    return FidelityTrendOut(
        practitioner_id=practitioner_id,
        instrument_key=instrument_key,
        window=size,
        counts=COUNTS,
        points=[_point(p) for p in points],
        drift_signals=[drift_signal_public(r) for r in reversed(signals)],
    )


async def drift_signal_page(
    runtime: Runtime, principal: Principal, where: DriftFilter, page: PageRequest
) -> Page[DriftSignalOut]:
    if where.detected_from and where.detected_to and where.detected_from > where.detected_to:
        raise Unprocessable("detected_from is after detected_to; swap them")
    practitioner = readable_practitioner(principal, where.practitioner_id)
    scoped = dataclasses.replace(where, practitioner_id=practitioner)
    async with runtime.pool.acquire() as conn:
        rows = await list_drift_signals(
            conn, principal.agency_id, scoped, after=date_and_seq(page), limit=page.limit + 1
        )
    return page_of(
        rows, page.limit, lambda r: date_seq_key(r["detected_on"], r["seq"]), drift_signal_public
    )


async def get_drift_signal(
    runtime: Runtime, principal: Principal, drift_id: uuid.UUID
) -> DriftSignalOut:
    async with runtime.pool.acquire() as conn:
        row = await find_drift_signal(conn, principal.agency_id, drift_id)
    confined_to = own_records_only(principal)
    if row is None or (confined_to is not None and row["practitioner_id"] != confined_to):
        raise NotFound(f"no drift signal {drift_id} in this agency")
    return drift_signal_public(row)
