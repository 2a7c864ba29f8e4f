"""Observations in SQL: insert, find, list with filters, a practitioner's counted history."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import asyncpg
from pydantic import TypeAdapter

from services.fidelity.domain.events import ObservationRecorded
from services.fidelity.domain.scoring import DomainScore, ItemScore, ScoredObservation
from shared.database import Connection
from shared.projected import Projected

_SELECT = """
    SELECT o.*, c.first_observer_id, c.second_observer_id, c.indicator_count,
           c.percent_agreement, c.expected_agreement, c.kappa
    FROM observations o
    LEFT JOIN co_observation_comparisons c
      ON c.agency_id = o.agency_id AND c.observation_id = o.id
"""


@dataclass(frozen=True, slots=True)
class ObservationFilter:
    practitioner_id: str | None = None
    observer_id: str | None = None
    instrument_key: str | None = None
    instrument_version: int | None = None
    meeting_from: date | None = None
    meeting_to: date | None = None


_INSERT = """
    INSERT INTO observations (agency_id, id, practitioner_id, observer_id, instrument_key,
        instrument_version, instrument_kind, meeting_date, setting, total, band,
        domain_scores, item_scores, ratings, observer_calibrated, calibration_reason,
        co_observation_of, content_hash, recorded_by, imported, source)
    SELECT $1::text, $2::uuid, $3::text, $4::text, $5::text, $6::int, $7::text, $8::date,
        $9::text, $10::float8, $11::text, $12::text::jsonb, $13::text::json,
        $14::text::json, $15::bool,
        $16::text, $17::uuid, $18::text, $19::text, $20::bool, $21::text
    FROM appended
"""


_JSON_COLUMNS = frozenset({"domain_scores", "item_scores", "ratings"})
_JSON: TypeAdapter[Any] = TypeAdapter(Any)


@dataclass(frozen=True)
class ObservationRow:
    """An observation's row: written by the statement that appends its events
    (`projected`), and `stored`, its columns as `find_observation` reads them."""

    projected: Projected
    columns: dict[str, Any]

    def stored(self, recorded_at: datetime) -> dict[str, Any]:
        """The columns once written (its comparison aside, `seq` left out): its
        `recorded_at` is its events' (`now()`, the transaction's start)."""
        return {**self.columns, "recorded_at": recorded_at}


def observation_row(
    agency_id: str,
    event: ObservationRecorded,
    scored: ScoredObservation,
    *,
    calibration_reason: str,
    content_hash: str,
    recorded_by: str,
) -> ObservationRow:
    """The row of a new observation, for `EventStore.append(..., projected=...)`."""
    columns: dict[str, Any] = {
        "agency_id": agency_id,
        "id": uuid.UUID(event.observation_id),
        "practitioner_id": event.practitioner_id,
        "observer_id": event.observer_id,
        "instrument_key": event.instrument_key,
        "instrument_version": event.instrument_version,
        "instrument_kind": event.instrument_kind,
        "meeting_date": event.meeting_date,
        "setting": event.setting,
        "total": event.total,
        "band": event.band,
        "domain_scores": [_domain_score(d) for d in scored.domains],
        "item_scores": [_item_score(i) for i in scored.items],
        "ratings": event.ratings,
        "observer_calibrated": event.observer_calibrated,
        "calibration_reason": calibration_reason,
        "co_observation_of": uuid.UUID(event.co_observation_of)
        if event.co_observation_of
        else None,
        "content_hash": content_hash,
        "recorded_by": recorded_by,
        "imported": event.imported,
        "source": event.source,
    }
    # the JSON columns go as text, written by pydantic's serializer (a third of
    # `json.dumps`'s time); the ratings' `json` column keeps that text, so a read gives
    # them back in the order written (migration 0004)
    args = tuple(
        _JSON.dump_json(value).decode() if name in _JSON_COLUMNS else value
        for name, value in columns.items()
    )
    return ObservationRow(projected=Projected(_INSERT, args), columns=columns)


def _domain_score(score: DomainScore) -> dict[str, Any]:
    """A scored domain as stored (`dataclasses.asdict` spelled out: it deep-copies, slowly)."""
    return {
        "domain_id": score.domain_id,
        "score": score.score,
        "band": score.band.value,
        "item_count": score.item_count,
    }


def _item_score(score: ItemScore) -> dict[str, Any]:
    return {
        "item_id": score.item_id,
        "domain_id": score.domain_id,
        "present": score.present,
        "applicable": score.applicable,
        "score": score.score,
    }


async def find_observation(
    conn: Connection, agency_id: str, observation_id: uuid.UUID
) -> asyncpg.Record | None:
    return await conn.fetchrow(
        f"{_SELECT} WHERE o.agency_id = $1 AND o.id = $2", agency_id, observation_id
    )


async def observers_of_meeting(
    conn: Connection, agency_id: str, first_observation_id: uuid.UUID
) -> list[str]:
    """Every observer who already scored the meeting of a first observation."""
    rows = await conn.fetch(
        """
        SELECT observer_id FROM observations
        WHERE agency_id = $1 AND (id = $2 OR co_observation_of = $2)
        """,
        agency_id,
        first_observation_id,
    )
    return [r["observer_id"] for r in rows]


async def list_observations(
    conn: Connection,
    agency_id: str,
    where: ObservationFilter,
    *,
    after: tuple[date, int] | None,
    limit: int,
) -> list[asyncpg.Record]:
    """Newest meeting first; keyset on (meeting_date, seq) descending."""
    args: list[Any] = [
        agency_id,
        where.practitioner_id,
        where.observer_id,
        where.instrument_key,
        where.instrument_version,
        where.meeting_from,
        where.meeting_to,
        after[0] if after else None,
        after[1] if after else None,
        limit,
    ]
    return await conn.fetch(
        f"""
        {_SELECT}
        WHERE o.agency_id = $1
          AND ($2::text IS NULL OR o.practitioner_id = $2)
          AND ($3::text IS NULL OR o.observer_id = $3)
          AND ($4::text IS NULL OR o.instrument_key = $4)
          AND ($5::int IS NULL OR o.instrument_version = $5)
          AND ($6::date IS NULL OR o.meeting_date >= $6)
          AND ($7::date IS NULL OR o.meeting_date <= $7)
          AND ($8::date IS NULL OR (o.meeting_date, o.seq) < ($8, $9::bigint))
        ORDER BY o.meeting_date DESC, o.seq DESC
        LIMIT $10
        """,
        *args,
    )


async def counted_history(
    conn: Connection, agency_id: str, practitioner_id: str, instrument_key: str
) -> list[asyncpg.Record]:
    """The observations a practitioner's trend is made of: by calibrated observers,
    first observations only (a co-observation is the same meeting again), in
    practice-date then recording order."""
    return await conn.fetch(
        """
        SELECT id, meeting_date, total, domain_scores FROM observations
        WHERE agency_id = $1 AND practitioner_id = $2 AND instrument_key = $3
          AND observer_calibrated AND co_observation_of IS NULL
        ORDER BY meeting_date, seq
        """,
        agency_id,
        practitioner_id,
        instrument_key,
    )
