"""Reading a practitioner's evidence and roster entry from the projections."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import asyncpg

from services.certification.adapters import planner_statistics
from services.certification.adapters.calibration_rows import calibrations_of
from services.certification.adapters.evidence_cache import HeldRows, ParsedEvidence, item_bytes
from services.certification.domain.calibrations import decide_calibrations
from services.certification.domain.evidence import (
    Evidence,
    EvidenceSet,
    ObservationRecorded,
    parse_evidence,
)
from shared.database import Connection


@dataclass(frozen=True)
class RosterEntry:
    agency_id: str
    practitioner_id: str
    role: str
    program_start: date
    coach_id: str | None
    supervisor_id: str | None
    team_id: str | None = None

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> RosterEntry:
        return cls(
            agency_id=row["agency_id"],
            practitioner_id=row["practitioner_id"],
            role=row["role"],
            program_start=row["program_start"],
            coach_id=row["coach_id"],
            supervisor_id=row["supervisor_id"],
            team_id=row["team_id"],
        )


async def roster_entry(
    conn: Connection, agency_id: str, practitioner_id: str
) -> RosterEntry | None:
    row = await conn.fetchrow(
        "SELECT * FROM practitioners WHERE agency_id = $1 AND practitioner_id = $2",
        agency_id,
        practitioner_id,
    )
    return RosterEntry.from_row(row) if row else None


async def registered_ids(conn: Connection, agency_id: str) -> list[str]:
    rows = await conn.fetch(
        "SELECT practitioner_id FROM practitioners WHERE agency_id = $1 ORDER BY practitioner_id",
        agency_id,
    )
    return [row["practitioner_id"] for row in rows]


async def registered_among(
    conn: Connection, agency_id: str, practitioner_ids: Iterable[str]
) -> set[str]:
    """Which of ``practitioner_ids`` are on the agency's roster."""
    rows = await conn.fetch(
        "SELECT practitioner_id FROM practitioners"
        " WHERE agency_id = $1 AND practitioner_id = ANY($2::text[])",
        agency_id,
        sorted(set(practitioner_ids)),
    )
    return {row["practitioner_id"] for row in rows}


async def has_evidence(
    conn: Connection, agency_id: str, practitioner_id: str, event_id: str
) -> bool:
    """Whether the practitioner's item ``event_id`` is stored (an item's key names its
    practitioner: migration 0007)."""
    found = await conn.fetchval(
        "SELECT true FROM evidence WHERE agency_id = $1 AND practitioner_id = $2 AND event_id = $3",
        agency_id,
        practitioner_id,
        event_id,
    )
    return bool(found)


async def is_retracted(conn: Connection, agency_id: str, event_id: str) -> bool:
    found = await conn.fetchval(
        "SELECT true FROM evidence_retractions WHERE agency_id = $1 AND event_id = $2",
        agency_id,
        event_id,
    )
    return bool(found)


async def known_or_retracted(
    conn: Connection, agency_id: str, practitioners: Mapping[str, str]
) -> set[str]:
    """Which of the items (``practitioners``: each item's event id → its practitioner)
    are already in the evidence, or were retracted before arriving."""
    rows = await conn.fetch(
        _KNOWN_OR_RETRACTED, agency_id, list(practitioners), [*practitioners.values()]
    )
    return {row["event_id"] for row in rows}


# each item looked up by its key (agency, practitioner, event id: migration 0007)
_KNOWN_OR_RETRACTED = """
    SELECT k.event_id FROM unnest($2::text[], $3::text[]) AS k (event_id, practitioner_id)
    WHERE EXISTS (SELECT FROM evidence e WHERE e.agency_id = $1
                      AND e.practitioner_id = k.practitioner_id AND e.event_id = k.event_id)
       OR EXISTS (SELECT FROM evidence_retractions r
                  WHERE r.agency_id = $1 AND r.event_id = k.event_id)
"""


# From this many rows of one agency stored by one batch, the intake asks whether the
# planner's statistics know the agency (`analyze_if_unseen`)
UNSEEN_CHECKED_FROM = 500


async def analyze_if_unseen(conn: Connection, agency_id: str, stored: int) -> bool:
    """After a batch stored ``stored`` evidence rows of the agency: when the planner
    takes the agency for fewer rows than that (statistics from before a bulk load of an
    agency they have not seen), analyze the evidence table inside this transaction, so
    the batch's rows are counted; whether it did.

    With such statistics every index led by `agency_id` looks as good as any other (the
    agency holds "a few rows"), and a lookup by a practitioner or an event id can be
    planned as a scan of the whole agency; autovacuum analyzes only once a tenth of the
    table has changed, which a large agency's load into a larger table never reaches.
    Asking costs a plan (no execution) per large batch; the analysis, the columns the
    intake's reads are planned on only, happens once per load of an unseen agency.
    """
    if stored < UNSEEN_CHECKED_FROM:
        return False
    return await planner_statistics.analyze_if_unseen(conn, "evidence", agency_id, stored)


async def evidence_set(conn: Connection, agency_id: str, practitioner_id: str) -> EvidenceSet:
    """The practitioner's evidence, each observation's calibration decided on its meeting
    date from the agency's calibrations (domain/calibrations.py)."""
    rows = await conn.fetch(
        "SELECT item::text AS item FROM evidence WHERE agency_id = $1 AND practitioner_id = $2",
        agency_id,
        practitioner_id,
    )
    items = parse_evidence([row["item"] for row in rows])
    observers = {item.observer_id for item in items if isinstance(item, ObservationRecorded)}
    calibrations = await calibrations_of(conn, agency_id, observers) if observers else []
    return EvidenceSet(practitioner_id, decide_calibrations(items, calibrations))


async def evidence_sets(
    conn: Connection, agency_id: str, practitioner_ids: Sequence[str]
) -> dict[str, EvidenceSet]:
    """Several practitioners' evidence in two queries (a consumer batch evaluates them
    together); each one's calibrations decided as in `evidence_set`."""
    rows = await conn.fetch(
        "SELECT practitioner_id, item::text AS item FROM evidence"
        " WHERE agency_id = $1 AND practitioner_id = ANY($2::text[])",
        agency_id,
        list(practitioner_ids),
    )
    return await evidence_sets_of(conn, agency_id, practitioner_ids, rows)


async def evidence_sets_of(
    conn: Connection,
    agency_id: str,
    practitioner_ids: Sequence[str],
    rows: Iterable[asyncpg.Record],
) -> dict[str, EvidenceSet]:
    """`evidence_sets` of the evidence rows (`practitioner_id`, `item` as JSON text) of
    those practitioners, read by the caller."""
    items: dict[str, list[Evidence]] = {practitioner_id: [] for practitioner_id in practitioner_ids}
    rows = list(rows)
    for row, item in zip(rows, parse_evidence([row["item"] for row in rows]), strict=True):
        items[row["practitioner_id"]].append(item)
    return await calibrated_sets(conn, agency_id, items)


async def calibrated_sets(
    conn: Connection, agency_id: str, items: Mapping[str, list[Evidence]]
) -> dict[str, EvidenceSet]:
    """Each practitioner's items as a set, each observation's calibration decided as in
    `evidence_set` (the calibrations read fresh)."""
    observers = {
        item.observer_id
        for found in items.values()
        for item in found
        if isinstance(item, ObservationRecorded)
    }
    calibrations = await calibrations_of(conn, agency_id, observers) if observers else []
    if not calibrations:  # nothing to decide: every item stands as it is
        return {
            practitioner_id: EvidenceSet(practitioner_id, found)
            for practitioner_id, found in items.items()
        }
    return {
        practitioner_id: EvidenceSet(practitioner_id, decide_calibrations(found, calibrations))
        for practitioner_id, found in items.items()
    }


def items_of_rows(
    held: ParsedEvidence,
    agency_id: str,
    practitioner_ids: Sequence[str],
    rows: Sequence[Any],
    confirmed: Mapping[str, int],
) -> tuple[dict[str, list[Evidence]], set[str]]:
    """Each practitioner's items: those ``held`` when the read found all of them still
    stored (``confirmed``: how many of the held (position, event id) pairs it found),
    and the rows read besides (`practitioner_id`, `event_id`, `position`, `item` as JSON
    text); and the practitioners of whom a held item was not found (to read again in
    full). Each practitioner served is held as now read."""
    unmatched = {
        practitioner_id
        for practitioner_id in practitioner_ids
        if confirmed.get(practitioner_id, 0) != len(held.held(agency_id, practitioner_id))
    }
    for practitioner_id in unmatched:
        held.keep(agency_id, practitioner_id, {}, 0)  # read again in full, held anew
    kept: dict[str, HeldRows] = {
        practitioner_id: dict(held.held(agency_id, practitioner_id))
        for practitioner_id in practitioner_ids
        if practitioner_id not in unmatched
    }
    weights = {
        practitioner_id: held.bytes_of(agency_id, practitioner_id) for practitioner_id in kept
    }
    fresh = [row for row in rows if row["practitioner_id"] in kept]
    parsed = parse_evidence([row["item"] for row in fresh])
    for row, item in zip(fresh, parsed, strict=True):
        practitioner_id = row["practitioner_id"]
        kept[practitioner_id][row["position"]] = (row["event_id"], item)
        weights[practitioner_id] += item_bytes(row["item"])
    items: dict[str, list[Evidence]] = {}
    for practitioner_id, rows_held in kept.items():
        held.keep(agency_id, practitioner_id, rows_held, weights[practitioner_id])
        items[practitioner_id] = [item for _, item in rows_held.values()]
    return items, unmatched


async def agency_evidence(conn: Connection, agency_id: str) -> dict[str, EvidenceSet]:
    """Every practitioner's evidence in one query (what-if and rebuild evaluate them all)."""
    rows = await conn.fetch(
        "SELECT practitioner_id, item::text AS item FROM evidence WHERE agency_id = $1",
        agency_id,
    )
    calibrations = await calibrations_of(conn, agency_id)
    items: dict[str, list[Evidence]] = {}
    for row, item in zip(rows, parse_evidence([row["item"] for row in rows]), strict=True):
        items.setdefault(row["practitioner_id"], []).append(item)
    return {
        practitioner_id: EvidenceSet(practitioner_id, decide_calibrations(found, calibrations))
        for practitioner_id, found in items.items()
    }
