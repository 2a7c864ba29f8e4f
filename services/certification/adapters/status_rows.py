"""The status projections: published transitions, and each practitioner's latest evaluation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from services.certification.adapters.roster_items import roster_item_tail
from services.certification.domain.publication import Announced
from services.certification.domain.state import CertificationState
from services.certification.domain.transitions import (
    CertificationStatus,
    Transition,
    TransitionKind,
)

if TYPE_CHECKING:  # a rebuild's worker processes import `StatusRow` without the driver
    import asyncpg

    from shared.database import Connection


async def announced(conn: Connection, agency_id: str, practitioner_id: str) -> list[Announced]:
    """The transition events published (or settled) for a practitioner, in order."""
    return (await announced_of(conn, agency_id, [practitioner_id]))[practitioner_id]


async def announced_of(
    conn: Connection, agency_id: str, practitioner_ids: Sequence[str]
) -> dict[str, list[Announced]]:
    """`announced` for several practitioners in one query, one practitioner at a time
    through its index (with `= ANY` and statistics that take the agency for a few rows,
    e.g. after a bulk load, the planner scanned all of the agency's transitions)."""
    rows = await conn.fetch(
        """
        SELECT t.practitioner_id, x.event_id, x.level_key, x.kind, x.effective_on,
            x.from_status, x.to_status, x.correction, x.retracted_by, x.explanation,
            x.published, coalesce(x.true_effective_on, x.effective_on) AS true_effective_on
        FROM unnest($2::text[]) AS t (practitioner_id),
            LATERAL (SELECT * FROM transitions
                     WHERE agency_id = $1 AND practitioner_id = t.practitioner_id
                     OFFSET 0) AS x
        ORDER BY x.position
        """,
        agency_id,
        list(dict.fromkeys(practitioner_ids)),
    )
    found: dict[str, list[Announced]] = {
        practitioner_id: [] for practitioner_id in practitioner_ids
    }
    for row in rows:
        found[row["practitioner_id"]].append(_announced(row))
    return found


def _announced(row: asyncpg.Record) -> Announced:
    return Announced(
        event_id=str(row["event_id"]),
        transition=Transition(
            level_key=row["level_key"],
            kind=TransitionKind(row["kind"]),
            on=row["true_effective_on"],
            from_status=CertificationStatus(row["from_status"]),
            to_status=CertificationStatus(row["to_status"]),
            reasons=tuple(row["explanation"]["reasons"]),
            evidence_ids=tuple(row["explanation"]["evidence_ids"]),
        ),
        correction=row["correction"],
        retracted=row["retracted_by"] is not None,
        published=row["published"],
        effective_on=row["effective_on"],
    )


@dataclass(frozen=True)
class StoredEvaluation:
    """A practitioner's evaluation as stored: the statuses, the day time may move them,
    and the exact body `GET …/certification` answers with on ``state.as_of``."""

    state: CertificationState
    next_change_on: date | None
    body: str


# a level's row: level key, status, since, certified on, at risk since
LevelRow = tuple[str, str, date | None, date | None, date | None]


@dataclass(frozen=True)
class StatusRow:
    """A stored evaluation as plain values (its `evaluations` row and `level_statuses`
    rows): cheap to pickle from a worker process, ready to write."""

    practitioner_id: str
    policy_id: str
    policy_version: int
    as_of: date
    next_change_on: date | None
    body: str
    levels: tuple[LevelRow, ...]
    # the board's roster item after the roster fields: made from the above when not given
    roster_item_tail: str = ""

    def __post_init__(self) -> None:
        if not self.roster_item_tail:
            tail = roster_item_tail(self.levels, self.as_of, self.next_change_on)
            object.__setattr__(self, "roster_item_tail", tail)

    @classmethod
    def of(cls, state: CertificationState, next_change_on: date | None, body: str) -> StatusRow:
        return cls(
            practitioner_id=state.practitioner_id,
            policy_id=state.policy_id,
            policy_version=state.policy_version,
            as_of=state.as_of,
            next_change_on=next_change_on,
            body=body,
            levels=tuple(
                (
                    level.level_key,
                    level.status.value,
                    level.since,
                    level.certified_on,
                    level.at_risk_since,
                )
                for level in state.levels
            ),
        )


_SAVE = """
WITH evaluated AS (
    INSERT INTO evaluations (agency_id, practitioner_id, policy_id, policy_version, as_of,
        next_change_on, state_json, state_as_of, roster_item_tail)
    SELECT $1, p, i, v, d, n, j, d, t FROM unnest($2::text[], $3::text[], $4::int[],
        $5::date[], $6::date[], $7::text[], $15::text[]) AS e(p, i, v, d, n, j, t)
    ON CONFLICT (agency_id, practitioner_id) DO UPDATE SET policy_id = excluded.policy_id,
        policy_version = excluded.policy_version, as_of = excluded.as_of,
        next_change_on = excluded.next_change_on, state_json = excluded.state_json,
        state_as_of = excluded.state_as_of, roster_item_tail = excluded.roster_item_tail
), levels AS (
    INSERT INTO level_statuses (agency_id, practitioner_id, level_key, ordinal, status,
        since, certified_on, at_risk_since)
    SELECT $1, * FROM unnest($8::text[], $9::text[], $10::int[], $11::text[], $12::date[],
        $13::date[], $14::date[])
    ON CONFLICT (agency_id, practitioner_id, level_key) DO UPDATE SET
        ordinal = excluded.ordinal, status = excluded.status, since = excluded.since,
        certified_on = excluded.certified_on, at_risk_since = excluded.at_risk_since
)
DELETE FROM level_statuses s
WHERE s.agency_id = $1 AND s.practitioner_id = ANY($2::text[])
  AND NOT EXISTS (
      SELECT 1 FROM unnest($8::text[], $9::text[]) AS kept(practitioner_id, level_key)
      WHERE kept.practitioner_id = s.practitioner_id AND kept.level_key = s.level_key)
"""


async def save_evaluations(
    conn: Connection, agency_id: str, evaluations: Sequence[StoredEvaluation]
) -> None:
    """Replace the status rows of each practitioner with those of its evaluation, in one
    statement (the levels a policy no longer has are dropped); the last one per
    practitioner wins."""
    await save_status_rows(
        conn,
        agency_id,
        [StatusRow.of(e.state, e.next_change_on, e.body) for e in evaluations],
    )


async def save_status_rows(conn: Connection, agency_id: str, rows: Sequence[StatusRow]) -> None:
    """`save_evaluations` of rows already made."""
    latest = {row.practitioner_id: row for row in rows}
    if not latest:
        return
    levels = [
        (practitioner_id, ordinal, level)
        for practitioner_id, row in latest.items()
        for ordinal, level in enumerate(row.levels)
    ]
    await conn.execute(
        _SAVE,
        agency_id,
        list(latest),
        [row.policy_id for row in latest.values()],
        [row.policy_version for row in latest.values()],
        [row.as_of for row in latest.values()],
        [row.next_change_on for row in latest.values()],
        [row.body for row in latest.values()],
        [practitioner_id for practitioner_id, _, _ in levels],
        [level[0] for _, _, level in levels],
        [ordinal for _, ordinal, _ in levels],
        [level[1] for _, _, level in levels],
        [level[2] for _, _, level in levels],
        [level[3] for _, _, level in levels],
        [level[4] for _, _, level in levels],
        [row.roster_item_tail for row in latest.values()],
    )


async def copy_new_status_rows(conn: Connection, agency_id: str, rows: Sequence[StatusRow]) -> None:
    """Write the rows of practitioners that have none (a rebuild, after dropping the
    agency's), with COPY: no conflict to look for, no row to replace or delete."""
    if not rows:
        return
    await conn.copy_records_to_table(
        "evaluations",
        columns=_EVALUATION_COLUMNS,
        records=[
            (
                agency_id,
                row.practitioner_id,
                row.policy_id,
                row.policy_version,
                row.as_of,
                row.next_change_on,
                row.body,
                row.as_of,
                row.roster_item_tail,
            )
            for row in rows
        ],
    )
    await conn.copy_records_to_table(
        "level_statuses",
        columns=_LEVEL_COLUMNS,
        records=[
            (agency_id, row.practitioner_id, level[0], ordinal, *level[1:])
            for row in rows
            for ordinal, level in enumerate(row.levels)
        ],
    )


_EVALUATION_COLUMNS = (
    "agency_id",
    "practitioner_id",
    "policy_id",
    "policy_version",
    "as_of",
    "next_change_on",
    "state_json",
    "state_as_of",
    "roster_item_tail",
)
_LEVEL_COLUMNS = (
    "agency_id",
    "practitioner_id",
    "level_key",
    "ordinal",
    "status",
    "since",
    "certified_on",
    "at_risk_since",
)


async def stored_state(
    conn: Connection, agency_id: str, practitioner_id: str, today: date
) -> str | None:
    """The stored `GET …/certification` body, if it is as of ``today`` (one indexed read).

    Every change of a practitioner's evidence, roster entry, policy or calibrations
    re-evaluates and re-stores in the transaction that makes it, so a body as of today
    is what a fold as of today gives; a body of an earlier day is stale (time alone
    moves the reasons' day counts, and may move a status) and not used.
    """
    body: str | None = await conn.fetchval(
        "SELECT state_json FROM evaluations"
        " WHERE agency_id = $1 AND practitioner_id = $2 AND state_as_of = $3",
        agency_id,
        practitioner_id,
        today,
    )
    return body


async def evaluation_version(conn: Connection, agency_id: str, practitioner_id: str) -> str | None:
    """The version of the practitioner's evaluation row (its xmin): every evaluation
    writes a new one, so it tells whether anything changed since it was read."""
    version: str | None = await conn.fetchval(
        "SELECT xmin::text FROM evaluations WHERE agency_id = $1 AND practitioner_id = $2",
        agency_id,
        practitioner_id,
    )
    return version


async def keep_read_state(
    conn: Connection,
    agency_id: str,
    practitioner_id: str,
    version: str,
    today: date,
    body: str,
) -> None:
    """Store the body a read folded as of ``today``, unless an evaluation wrote the row
    after the read's snapshot (then that one's body is the newer truth). Only the body:
    the statuses and `as_of`, which the clock goes by, are an evaluation's to write."""
    await conn.execute(
        "UPDATE evaluations SET state_json = $4, state_as_of = $3"
        " WHERE agency_id = $1 AND practitioner_id = $2 AND xmin::text = $5"
        " AND (state_as_of IS NULL OR state_as_of < $3)",
        agency_id,
        practitioner_id,
        today,
        body,
        version,
    )


async def due_for_clock(conn: Connection, today: date, limit: int) -> list[tuple[str, str]]:
    """(agency, practitioner) pairs whose status time may have moved by ``today``."""
    rows = await conn.fetch(
        """
        SELECT agency_id, practitioner_id FROM evaluations
        WHERE next_change_on <= $1 AND as_of < $1
        ORDER BY next_change_on, agency_id, practitioner_id LIMIT $2
        """,
        today,
        limit,
    )
    return [(row["agency_id"], row["practitioner_id"]) for row in rows]
