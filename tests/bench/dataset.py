"""The large dataset: agencies of practitioners and their evidence, COPYed into the stores.

Going through the APIs would take hours at this size, so the loader writes what the
services themselves would have written, with PostgreSQL's COPY (binary, 100,000 rows a
statement), in one transaction:

- certification's event store: per practitioner one `practitioner_registered` (the
  roster) and `evidence_per_practitioner - 1` `evidence_received` events (modules
  mastered, coaching sessions, an observation) whose items come from the real intake
  translation (`domain/intake.py`) of upstream CloudEvents;
- the other three services' roster copies (`roster_details`, the rows their roster-copy
  consumer writes for a registration), and certification's relay checkpoint moved past
  the loaded rows, so the registrations are not fanned out a second time through NATS
  (at today's roster-copy intake that alone would take minutes).

Then the loaded tables are vacuumed, analyzed and checkpointed (`settle`), as a
restored database is before it serves; the seconds returned are the COPY's.

Certification's projections are not written by hand: its own rebuild
(`POST /projections/rebuild`, figure 5) builds them from the loaded log.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from typing import Any

import asyncpg

from services.certification.domain.events import EvidenceReceived, PractitionerRegistered
from services.certification.domain.intake import evidence_from_event
from shared.naming import stream_id
from tests.certification.upstream import UpstreamHistory

COLUMNS = (
    "event_id",
    "stream_id",
    "stream_version",
    "agency_id",
    "name",
    "schema_version",
    "subject",
    "occurred_at",
    "data",
    "metadata",
)
PLACEHOLDER = "__PRACTITIONER__"
EVENT_PLACEHOLDER = "00000000-0000-4000-8000-000000000000"
CHUNK = 100_000
TEAM_SIZE = 20


@dataclass(frozen=True)
class Shape:
    agencies: int
    practitioners_per_agency: int
    events_per_practitioner: int = 10  # the registration and its evidence

    @property
    def practitioners(self) -> int:
        return self.agencies * self.practitioners_per_agency

    @property
    def events(self) -> int:
        return self.practitioners * self.events_per_practitioner

    def agency(self, n: int) -> str:
        return f"big-{n}"


@dataclass(frozen=True)
class EvidenceTemplate:
    """One evidence_received event with the practitioner and upstream id left open."""

    data_json: str
    occurred_at: datetime


def templates(count: int, today: date) -> list[EvidenceTemplate]:
    """`count` evidence events of a practitioner well into the programme."""
    history = UpstreamHistory("template", PLACEHOLDER)
    start = today - timedelta(days=330)
    for order in range(1, 7):
        history.mastered(order, start + timedelta(days=28 * (order - 1)))
    month = 0
    while len(history.events) < count - 1:
        history.coached(today - timedelta(days=15 + 30 * month))
        month += 1
    history.observed(today - timedelta(days=40), total=86, observer="coach-1")
    found = []
    for event in history.events[:count]:
        item = evidence_from_event(event.service, event.event_name, EVENT_PLACEHOLDER, event.data)
        assert item is not None, event.event_name
        received = EvidenceReceived(
            practitioner_id=PLACEHOLDER,
            source=event.service,
            source_type=event.type,
            item=item.model_dump(mode="json"),
        )
        day = item.occurred_on
        found.append(
            EvidenceTemplate(
                data_json=json.dumps(received.model_dump(mode="json")),
                occurred_at=datetime.combine(day, clock_time(12), tzinfo=UTC),
            )
        )
    return found


def practitioner_of(n: int) -> tuple[str, str]:
    """The n-th practitioner's id and team (a coach and a supervisor per team)."""
    return f"prac-{n:06d}", f"{n // TEAM_SIZE:05d}"


def registration_id(agency: str, practitioner: str) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"bench/{agency}/{practitioner}")


def roster_rows(shape: Shape, agency: str, today: date) -> Iterator[tuple[Any, ...]]:
    """The roster copy of one agency, as a roster-copy consumer stores a registration."""
    program_start = today - timedelta(days=360)
    recorded_at = datetime.now(UTC)
    for n in range(shape.practitioners_per_agency):
        practitioner, team = practitioner_of(n)
        yield (
            agency,
            practitioner,
            program_start,
            0,
            recorded_at,
            str(registration_id(agency, practitioner)),
            "facilitator",
            f"coach-{team}",
            f"sup-{team}",
            None,
            program_start,
        )


ROSTER_COLUMNS = (
    "agency_id",
    "practitioner_id",
    "effective_on",
    "rank",
    "recorded_at",
    "event_id",
    "role",
    "coach_id",
    "supervisor_id",
    "team_id",
    "program_start",
)


def agency_rows(shape: Shape, agency: str, today: date) -> Iterator[tuple[Any, ...]]:
    """Every row of one agency, in the column order of `COLUMNS`."""
    evidence = templates(shape.events_per_practitioner - 1, today)
    program_start = today - timedelta(days=360)
    metadata = json.dumps({"actor": f"{agency}/bench-loader"})
    registered_at = datetime.combine(program_start, clock_time(12), tzinfo=UTC)
    for n in range(shape.practitioners_per_agency):
        practitioner, team = practitioner_of(n)
        registration = PractitionerRegistered(
            practitioner_id=practitioner,
            role="facilitator",
            program_start=program_start,
            coach_id=f"coach-{team}",
            supervisor_id=f"sup-{team}",
        )
        yield (
            registration_id(agency, practitioner),
            stream_id("practitioner", agency, practitioner),
            1,
            agency,
            PractitionerRegistered.name,
            PractitionerRegistered.version,
            practitioner,
            registered_at,
            json.dumps(registration.model_dump(mode="json")),
            metadata,
        )
        stream = stream_id("evidence", agency, practitioner)
        for version, template in enumerate(evidence, start=1):
            data = template.data_json.replace(PLACEHOLDER, practitioner).replace(
                EVENT_PLACEHOLDER, str(uuid.uuid4())
            )
            yield (
                uuid.uuid4(),
                stream,
                version,
                agency,
                EvidenceReceived.name,
                EvidenceReceived.version,
                practitioner,
                template.occurred_at,
                data,
                metadata,
            )


async def load(
    dsn: str,
    schema: str,
    roster_schemas: list[str],
    shape: Shape,
    today: date,
    *,
    settled: bool = True,
) -> tuple[int, float]:
    """COPY every agency into certification's `schema` and the roster copies, then
    `settle` them unless told not to: (rows, seconds of the COPY)."""
    conn = await asyncpg.connect(dsn)
    started = time.perf_counter()
    rows = 0
    try:
        async with conn.transaction():
            for n in range(shape.agencies):
                agency = shape.agency(n)
                chunk: list[tuple[Any, ...]] = []
                for row in agency_rows(shape, agency, today):
                    chunk.append(row)
                    if len(chunk) >= CHUNK:
                        rows += await _copy(conn, schema, "events", COLUMNS, chunk)
                        chunk = []
                if chunk:
                    rows += await _copy(conn, schema, "events", COLUMNS, chunk)
                roster = list(roster_rows(shape, agency, today))
                for copy_schema in roster_schemas:
                    await _copy(conn, copy_schema, "roster_details", ROSTER_COLUMNS, roster)
            await conn.execute(
                f"""
                INSERT INTO "{schema}".relay_checkpoints (relay, tx_id, position)
                SELECT 'certification-outbox', pg_current_xact_id(), max(position)
                FROM "{schema}".events
                ON CONFLICT (relay) DO UPDATE
                SET tx_id = excluded.tx_id, position = excluded.position, updated_at = now()
                """
            )
        seconds = time.perf_counter() - started
        tables = [f'"{schema}".events', *(f'"{s}".roster_details' for s in roster_schemas)]
        if settled:
            await settle(conn, tables)
        else:  # as before `settle`: statistics only (a measurement of what it changes)
            for table in tables:
                await conn.execute(f"ANALYZE {table}")
    finally:
        await conn.close()
    return rows, seconds


async def settle(conn: asyncpg.Connection, tables: list[str]) -> None:  # type: ignore[type-arg]
    """Leave the loaded tables as a database in service holds them, not as a bulk load
    does: vacuumed and analyzed (hint bits set, visibility map and statistics written,
    as `vacuumdb --analyze` after a restore) and checkpointed. Otherwise what follows
    the load, a rebuild, is timed beside the load's aftermath: a checkpoint writing the
    1 GB the COPY dirtied, autovacuum's pass over a million fresh rows, and the first
    reads of each page writing its hint bits; it made the first agencies' rebuilds
    three times slower than the others'."""
    for table in tables:
        await conn.execute(f"VACUUM (ANALYZE) {table}")
    await conn.execute("CHECKPOINT")


async def relayed_everything(dsn: str, schema: str) -> bool:
    """Whether certification's relay has gone past every event (before the load)."""
    conn = await asyncpg.connect(dsn)
    try:
        return bool(
            await conn.fetchval(
                f"""
                SELECT NOT EXISTS (
                    SELECT 1 FROM "{schema}".events e
                    WHERE (e.tx_id, e.position) > coalesce(
                        (SELECT (c.tx_id, c.position) FROM "{schema}".relay_checkpoints c
                         WHERE c.relay = 'certification-outbox'),
                        ('0'::xid8, 0::bigint)))
                """
            )
        )
    finally:
        await conn.close()


async def _copy(
    conn: asyncpg.Connection,  # type: ignore[type-arg]
    schema: str,
    table: str,
    columns: tuple[str, ...],
    rows: list[tuple[Any, ...]],
) -> int:
    await conn.copy_records_to_table(table, schema_name=schema, columns=columns, records=rows)
    return len(rows)
