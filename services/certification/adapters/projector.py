"""Stored certification events → projection rows; the same code serves live writes and rebuilds.

A handler appends events and passes what the store returned to `project`, in the same
transaction; a rebuild passes the whole log of an agency, batch by batch. Rows copy
the event's position and timestamps, so both paths write identical rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg

from services.certification.adapters.calibration_rows import project_calibration
from services.certification.adapters.credential_rows import project_credential
from services.certification.adapters.roster_projection import project_roster_events
from services.certification.adapters.window_rows import project_window
from services.certification.domain.credential_events import CREDENTIAL_EVENT_NAMES
from services.certification.domain.events import ROSTER_EVENT_NAMES, TRANSITION_EVENT_NAMES
from shared.database import Connection
from shared.events import StoredEvent


def _kind(name: str) -> str:
    return name.removeprefix("certification_")


def evidence_row(event: StoredEvent) -> tuple[Any, ...]:
    """The `evidence` row of an `evidence_received` event."""
    data = event.data
    item = data["item"]
    return (
        event.agency_id,
        item["event_id"],
        data["practitioner_id"],
        item["kind"],
        item["occurred_on"],
        data["source"],
        item,
        event.position,
    )


async def project(conn: Connection, events: Sequence[StoredEvent]) -> None:
    roster: list[StoredEvent] = []
    evidence: list[tuple[Any, ...]] = []
    versions: list[tuple[Any, ...]] = []
    adoptions: list[tuple[Any, ...]] = []
    transitions: list[tuple[Any, ...]] = []
    retractions: list[tuple[str, list[str], Any]] = []
    withdrawn: list[tuple[str, str, list[str], Any]] = []
    for event in events:
        data, agency = event.data, event.agency_id
        if event.name in ROSTER_EVENT_NAMES:
            roster.append(event)
        elif event.name == "evidence_received":
            evidence.append(evidence_row(event))
        elif event.name == "observer_calibration_received":
            await project_calibration(conn, event)
        elif event.name == "evidence_retracted":
            withdrawn.append((agency, data["practitioner_id"], data["event_ids"], event.event_id))
        elif event.name == "policy_version_created":
            policy = data["policy"]
            versions.append(
                (
                    agency,
                    data["policy_id"],
                    data["policy_version"],
                    policy.get("title", ""),
                    policy,
                    event.actor,
                    event.recorded_at,
                )
            )
        elif event.name == "policy_adopted":
            adoptions.append(
                (
                    agency,
                    event.position,
                    event.event_id,
                    data["policy_id"],
                    data["policy_version"],
                    data["adopted_on"],
                    event.actor,
                    event.recorded_at,
                )
            )
        elif event.name in TRANSITION_EVENT_NAMES:
            transitions.append(_transition_row(event))
            if data.get("corrects"):
                retractions.append((agency, data["corrects"], event.event_id))
        elif event.name == "transitions_retracted":
            retractions.append((agency, data["event_ids"], event.event_id))
        elif event.name == "transition_settled":
            transitions.append(_settled_row(event))
        elif event.name in ("import_window_opened", "import_window_closed"):
            await project_window(conn, event)
        elif event.name in CREDENTIAL_EVENT_NAMES:
            await project_credential(conn, event)
    # in log order: each history row copies its predecessor's details
    await project_roster_events(conn, roster)
    await _insert(conn, evidence, versions, adoptions, transitions)
    for agency, practitioner_id, event_ids, by in withdrawn:  # after the evidence it drops
        await conn.execute(
            "INSERT INTO evidence_retractions (agency_id, event_id, practitioner_id, retracted_by)"
            " SELECT $1, unnest($2::text[]), $3, $4 ON CONFLICT DO NOTHING",
            agency,
            event_ids,
            practitioner_id,
            by,
        )
        await conn.execute(
            "DELETE FROM evidence"
            " WHERE agency_id = $1 AND practitioner_id = $2 AND event_id = ANY($3::text[])",
            agency,
            practitioner_id,
            event_ids,
        )
    for agency, event_ids, by in retractions:
        await conn.execute(
            "UPDATE transitions SET retracted_by = $3"
            " WHERE agency_id = $1 AND event_id = ANY($2::uuid[]) AND retracted_by IS NULL",
            agency,
            event_ids,
            by,
        )


async def project_logged_evidence(
    conn: Connection,
    agency_id: str,
    after_position: int,
    up_to: int | None,
    *,
    unique: bool = False,
) -> int:
    """The evidence rows of the agency's logged `evidence_received` events in positions
    (``after_position``, ``up_to``], written in one statement from the log itself: the
    rows `project` writes for them (same columns, the first item under a practitioner's
    event id stands), without bringing the events to Python. A rebuild uses it; the
    number of events it read is returned.

    ``unique``: the caller knows no row it writes can meet one already there (the
    agency's evidence was dropped and no item event id repeats), so the rows
    are inserted without looking for a conflict first, about a third of the statement's
    cost, and in the order the log is read rather than sorted by position: which row of
    a repeated id comes first matters only where one would stand and the other not, and
    sorting the rows, each carrying its item (36 MB for an agency's 90,000 items), was
    about half of the statement's CPU. Were the caller wrong, the statement fails on the
    primary key."""
    count: int = await conn.fetchval(
        logged_evidence_statement(unique=unique), agency_id, after_position, up_to
    )
    return count


def logged_evidence_statement(*, unique: bool) -> str:
    """`project_logged_evidence`'s statement (parameters: the agency, the positions after
    and up to)."""
    return _PROJECT_LOGGED.format(
        in_order="" if unique else "ORDER BY position",
        on_conflict="" if unique else "ON CONFLICT DO NOTHING",
    )


_PROJECT_LOGGED = """
WITH logged AS (
    SELECT agency_id, data, position FROM events
    WHERE agency_id = $1 AND name = 'evidence_received' AND position > $2
      AND ($3::bigint IS NULL OR position <= $3)
), projected AS (
    INSERT INTO evidence (agency_id, event_id, practitioner_id, kind, occurred_on,
        source, item, position)
    SELECT agency_id, data->'item'->>'event_id', data->>'practitioner_id',
        data->'item'->>'kind', (data->'item'->>'occurred_on')::date,
        data->>'source', data->'item', position
    FROM logged {in_order}
    {on_conflict}
)
SELECT count(*) FROM logged
"""


async def project_evidence_at(conn: Connection, positions: list[int]) -> None:
    """The evidence rows of `evidence_received` events just logged at ``positions`` (in
    this transaction), written from the log in one statement: the rows `project` writes
    for them, without encoding each item again (a consumer batch's evidence)."""
    await conn.execute(_PROJECT_AT, positions)


_PROJECT_AT = """
INSERT INTO evidence (agency_id, event_id, practitioner_id, kind, occurred_on, source,
    item, position)
SELECT agency_id, data->'item'->>'event_id', data->>'practitioner_id',
    data->'item'->>'kind', (data->'item'->>'occurred_on')::date, data->>'source',
    data->'item', position
FROM events WHERE position = ANY($1::bigint[]) AND name = 'evidence_received'
ORDER BY position
ON CONFLICT DO NOTHING
"""


@dataclass
class LoggedEvidenceReplay:
    """A rebuild's evidence, projected from the log page by page (`project_logged_evidence`)
    into the agency's emptied rows.

    Each statement first inserts without looking for conflicts, in a savepoint: only a
    repeated item event id in the log (a redelivery the intake let through, evidence
    retracted and sent again) can meet a row already written, and then the savepoint is
    rolled back and that statement and every later one look for conflicts, the first
    item under a practitioner's event id standing. Cheaper than asking the whole log first whether
    an id repeats (a tenth of a second of PostgreSQL's CPU per 100,000 events).
    """

    conn: Connection
    agency_id: str
    unique: bool = True  # no repeated id met so far

    async def project(self, after_position: int, up_to: int | None) -> int:
        """`project_logged_evidence` of positions (``after_position``, ``up_to``]."""
        if self.unique:
            try:
                async with self.conn.transaction():  # a savepoint
                    return await project_logged_evidence(
                        self.conn, self.agency_id, after_position, up_to, unique=True
                    )
            except asyncpg.UniqueViolationError:
                self.unique = False
        return await project_logged_evidence(self.conn, self.agency_id, after_position, up_to)


def _transition_row(event: StoredEvent) -> tuple[Any, ...]:
    data = event.data
    return (
        event.agency_id,
        event.position,
        event.event_id,
        data["practitioner_id"],
        data["level"],
        _kind(event.name),
        data["effective_on"],
        data["from_status"],
        data["to_status"],
        data["policy_id"],
        data["policy_version"],
        data.get("reason"),
        data["explanation"],
        data.get("correction", False),
        data.get("corrects", []),
        event.recorded_at,
        data.get("true_effective_on") or data["effective_on"],
        True,
    )


def _settled_row(event: StoredEvent) -> tuple[Any, ...]:
    data = event.data
    return (
        event.agency_id,
        event.position,
        event.event_id,
        data["practitioner_id"],
        data["level"],
        data["kind"],
        data["effective_on"],
        data["from_status"],
        data["to_status"],
        data["policy_id"],
        data["policy_version"],
        None,
        {"reasons": data["reasons"], "evidence_ids": data["evidence_ids"]},
        False,
        [],
        event.recorded_at,
        data["effective_on"],
        False,
    )


_INSERT_EVIDENCE = """
    INSERT INTO evidence (agency_id, event_id, practitioner_id, kind, occurred_on, source,
        item, position)
    SELECT a, e, p, k, o::date, s, i, n
    FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
        $7::jsonb[], $8::bigint[]) WITH ORDINALITY AS r(a, e, p, k, o, s, i, n, row_no)
    ORDER BY row_no
    ON CONFLICT DO NOTHING
"""


async def _insert(
    conn: Connection,
    evidence: list[tuple[Any, ...]],
    versions: list[tuple[Any, ...]],
    adoptions: list[tuple[Any, ...]],
    transitions: list[tuple[Any, ...]],
) -> None:
    if evidence:  # one statement for the batch's rows, in their order
        columns = [list(column) for column in zip(*evidence, strict=True)]
        await conn.execute(_INSERT_EVIDENCE, *columns)
    if versions:
        await conn.executemany(
            """
            INSERT INTO policy_versions (agency_id, policy_id, policy_version, title, policy,
                created_by, created_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING
            """,
            versions,
        )
    if adoptions:
        await conn.executemany(
            """
            INSERT INTO policy_adoptions (agency_id, position, event_id, policy_id,
                policy_version, adopted_on, adopted_by, recorded_at)
            VALUES ($1, $2, $3, $4, $5, $6::text::date, $7, $8)
            """,
            adoptions,
        )
    if transitions:
        await conn.executemany(
            """
            INSERT INTO transitions (agency_id, position, event_id, practitioner_id, level_key,
                kind, effective_on, from_status, to_status, policy_id, policy_version, reason,
                explanation, correction, corrects, recorded_at, true_effective_on, published)
            VALUES ($1, $2, $3, $4, $5, $6, $7::text::date, $8, $9, $10, $11, $12, $13, $14,
                $15::uuid[], $16, $17::text::date, $18)
            """,
            transitions,
        )
