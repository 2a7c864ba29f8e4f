"""The tables of bulk imports: one row per import, one per line with its outcome.

A line's outcome is written in the same transaction as what the line stored, so a batch
interrupted by a crash or an outage is redone from its first unfinished line and the
report never counts a line twice. Counts are computed from the lines, so the report and
the lines cannot disagree.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from shared.auth import Principal, Role
from shared.database import Connection
from shared.imports import LineResult, ParsedLine


@dataclass(frozen=True)
class ImportRow:
    agency_id: str
    id: uuid.UUID
    dry_run: bool
    status: str
    total: int
    failure: str | None
    created_at: datetime
    finished_at: datetime | None


def principal_json(principal: Principal) -> dict[str, Any]:
    return {"subject": principal.subject, "roles": sorted(r.value for r in principal.roles)}


def principal_of(agency_id: str, stored: dict[str, Any]) -> Principal:
    roles = frozenset(Role(r) for r in stored["roles"])
    return Principal(subject=stored["subject"], agency_id=agency_id, roles=roles)


async def insert_import(
    conn: Connection,
    principal: Principal,
    import_id: uuid.UUID,
    lines: Sequence[ParsedLine],
    *,
    dry_run: bool,
    results: Sequence[LineResult] = (),
) -> None:
    """The import and its lines: a real run's valid lines pending, the rest decided."""
    decided = {r.number: r for r in results}
    for line in lines:
        if line.problem is not None and line.number not in decided:
            decided[line.number] = LineResult(
                line.number, line.kind, line.record_id, "invalid", line.problem
            )
    finished = dry_run or len(decided) == len(lines)
    await conn.execute(
        """INSERT INTO imports (agency_id, id, dry_run, status, principal, total, finished_at)
           VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $7 THEN now() END)""",
        principal.agency_id,
        import_id,
        dry_run,
        "completed" if finished else "running",
        principal_json(principal),
        len(lines),
        finished,
    )
    await conn.execute(
        """INSERT INTO import_lines (agency_id, import_id, line_no, kind, record_id, fields,
               outcome, problem)
           SELECT $1, $2, l.line_no, l.kind, l.record_id, to_jsonb(l.fields),
               l.outcome, l.problem
           FROM unnest($3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::jsonb[])
               AS l(line_no, kind, record_id, fields, outcome, problem)""",
        principal.agency_id,
        import_id,
        [line.number for line in lines],
        [line.kind for line in lines],
        [line.record_id for line in lines],
        [None if line.number in decided else _fields_json(line) for line in lines],
        [decided[line.number].outcome if line.number in decided else None for line in lines],
        [decided[line.number].problem if line.number in decided else None for line in lines],
    )


def _fields_json(line: ParsedLine) -> str:
    """A pending line's JSON: as it was sent when known (parsed strictly: valid JSON,
    no key twice, `kind` still in it), else encoded from its fields.

    It is stored as one JSON string (`to_jsonb(text)`), not decoded into a JSON object:
    only the kind's model reads it back (`ImportKind.body`), and PostgreSQL decoding ~3 KB
    of an observation's ratings into jsonb cost about half of the line's row."""
    return line.text if line.text is not None else json.dumps(line.fields)


async def claim_running_import(conn: Connection) -> asyncpg.Record | None:
    """The oldest running import no other replica is working on, locked for this batch."""
    return await conn.fetchrow(
        """SELECT agency_id, id, principal FROM imports
           WHERE status = 'running' ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED"""
    )


async def pending_lines(
    conn: Connection, agency_id: str, import_id: uuid.UUID, limit: int
) -> list[ParsedLine]:
    """The next lines still to store, their JSON as text (decoded once, by the kind's
    model: `ImportKind.body`). `#>> '{}'` is the text of the stored JSON string (a line
    stored by an earlier release as a JSON object: that object's text)."""
    rows = await conn.fetch(
        """SELECT line_no, kind, record_id, fields #>> '{}' AS fields FROM import_lines
           WHERE agency_id = $1 AND import_id = $2 AND outcome IS NULL
           ORDER BY line_no LIMIT $3""",
        agency_id,
        import_id,
        limit,
    )
    return [
        ParsedLine(r["line_no"], r["kind"], r["record_id"], {}, stored=r["fields"]) for r in rows
    ]


async def record_results(
    conn: Connection, agency_id: str, import_id: uuid.UUID, results: Sequence[LineResult]
) -> None:
    await conn.execute(
        """UPDATE import_lines l SET outcome = r.outcome, problem = r.problem, fields = NULL
           FROM unnest($3::int[], $4::text[], $5::jsonb[]) AS r(line_no, outcome, problem)
           WHERE l.agency_id = $1 AND l.import_id = $2 AND l.line_no = r.line_no""",
        agency_id,
        import_id,
        [r.number for r in results],
        [r.outcome for r in results],
        [r.problem for r in results],
    )


async def finish_import(
    conn: Connection, agency_id: str, import_id: uuid.UUID, status: str, failure: str | None = None
) -> None:
    await conn.execute(
        """UPDATE imports SET status = $3, failure = $4, finished_at = now()
           WHERE agency_id = $1 AND id = $2""",
        agency_id,
        import_id,
        status,
        failure,
    )


async def count_failed_round(
    conn: Connection, agency_id: str, import_id: uuid.UUID, error: str, max_rounds: int
) -> None:
    """One more failed batch; after `max_rounds` in a row the import is failed."""
    await conn.execute(
        """UPDATE imports SET failed_rounds = failed_rounds + 1, failure = $3,
               status = CASE WHEN failed_rounds + 1 >= $4 THEN 'failed' ELSE status END,
               finished_at = CASE WHEN failed_rounds + 1 >= $4 THEN now() END
           WHERE agency_id = $1 AND id = $2""",
        agency_id,
        import_id,
        error,
        max_rounds,
    )


async def reset_failed_rounds(conn: Connection, agency_id: str, import_id: uuid.UUID) -> None:
    await conn.execute(
        "UPDATE imports SET failed_rounds = 0 WHERE agency_id = $1 AND id = $2 "
        "AND failed_rounds > 0",
        agency_id,
        import_id,
    )


async def find_import(conn: Connection, agency_id: str, import_id: uuid.UUID) -> ImportRow | None:
    row = await conn.fetchrow(
        """SELECT agency_id, id, dry_run, status, total, failure, created_at, finished_at
           FROM imports WHERE agency_id = $1 AND id = $2""",
        agency_id,
        import_id,
    )
    return ImportRow(**dict(row)) if row else None


async def list_imports(
    conn: Connection, agency_id: str, before: tuple[Any, ...] | None, limit: int
) -> list[ImportRow]:
    """The agency's imports, newest first, after the keyset `before` (created_at, id)."""
    rows = await conn.fetch(
        """SELECT agency_id, id, dry_run, status, total, failure, created_at, finished_at
           FROM imports WHERE agency_id = $1
             AND ($2::timestamptz IS NULL OR (created_at, id) < ($2, $3::uuid))
           ORDER BY created_at DESC, id DESC LIMIT $4""",
        agency_id,
        before[0] if before else None,
        before[1] if before else None,
        limit,
    )
    return [ImportRow(**dict(r)) for r in rows]


async def line_counts(
    conn: Connection, agency_id: str, import_id: uuid.UUID
) -> dict[tuple[str, str | None], int]:
    """(kind, outcome or None while pending) → number of lines."""
    rows = await conn.fetch(
        """SELECT kind, outcome, count(*) AS n FROM import_lines
           WHERE agency_id = $1 AND import_id = $2 GROUP BY kind, outcome""",
        agency_id,
        import_id,
    )
    return {(r["kind"], r["outcome"]): r["n"] for r in rows}


async def invalid_lines(
    conn: Connection, agency_id: str, import_id: uuid.UUID, after_line: int, limit: int
) -> list[asyncpg.Record]:
    return await conn.fetch(
        """SELECT line_no, kind, record_id, problem FROM import_lines
           WHERE agency_id = $1 AND import_id = $2 AND outcome = 'invalid' AND line_no > $3
           ORDER BY line_no LIMIT $4""",
        agency_id,
        import_id,
        after_line,
        limit,
    )


def problem_text(problem: Any) -> dict[str, Any]:
    """A stored problem as a dict (jsonb arrives decoded; be lenient with text)."""
    if isinstance(problem, str):
        decoded: dict[str, Any] = json.loads(problem)
        return decoded
    return dict(problem or {})
