"""Paged reads for the API: the roster with level statuses, transition history, policies."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

import asyncpg

from services.certification.adapters.roster_items import UNEVALUATED_TAIL
from shared.database import Connection
from shared.pagination import PageRequest, keyset

ROSTER_SELECT = """
    SELECT p.*, e.as_of, e.next_change_on,
        coalesce(
            (SELECT jsonb_agg(jsonb_build_object('level', s.level_key, 'status', s.status,
                    'since', s.since, 'certified_on', s.certified_on,
                    'at_risk_since', s.at_risk_since) ORDER BY s.ordinal)
             FROM level_statuses s
             WHERE s.agency_id = p.agency_id AND s.practitioner_id = p.practitioner_id),
            '[]'::jsonb) AS levels
    FROM practitioners p
    LEFT JOIN evaluations e
        ON e.agency_id = p.agency_id AND e.practitioner_id = p.practitioner_id
"""


@dataclass(frozen=True)
class RosterFilter:
    """What a roster listing keeps: by level status, by current supervisor or team, leavers."""

    status: str | None = None
    level: str | None = None
    supervisor_id: str | None = None
    team_id: str | None = None
    include_left: bool = False


# one roster item as JSON text, the shape of `PractitionerPublic`: the board's list answers
# fifty of them on every refresh. Both parts are stored (migration 0004): the roster
# fields, computed by PostgreSQL on every write of the practitioner's row, and the rest,
# written with the evaluation (adapters/roster_items.py); building each item's JSON here
# was most of PostgreSQL's CPU for a page (`::text` columns: passed on as they are)
ROSTER_ITEM_SELECT = f"""
    SELECT p.roster_item_head || coalesce(e.roster_item_tail, '{UNEVALUATED_TAIL}') AS item,
        p.practitioner_id
    FROM practitioners p
    LEFT JOIN evaluations e
        ON e.agency_id = p.agency_id AND e.practitioner_id = p.practitioner_id
"""
# a page after a cursor starts the evaluations' side at the cursor too: PostgreSQL carries
# the join's equality, not the `>`, over to it, so the merge join otherwise read every
# evaluation of the agency before the cursor (7,833 rows for a page after the 8,000th)
_EVALUATIONS_AFTER = " AND e.practitioner_id > {}::text"


@dataclass(frozen=True)
class RosterQuery:
    """The statement of one roster page and its arguments: together they name its answer
    (identical requests share one, shared/shared_reads.py)."""

    sql: str
    arguments: tuple[object, ...]
    limit: int


@dataclass(frozen=True)
class RosterPage:
    """A page of the roster: the items' JSON texts with commas between them, and the sort
    key of the last one when another page follows."""

    items: str
    next_after: str | None


def roster_query(
    agency_id: str, page: PageRequest, wanted: RosterFilter, today: date
) -> RosterQuery:
    """Practitioners by id, each as the JSON text of its roster item; with a status, those
    holding it (on the level, or on any level); without ``include_left``, not those who
    have left by ``today``. One more row than the page is read, only to tell whether
    another follows. A cursor not of this list is refused here (400), before any read."""
    keys = keyset(page, "text")
    after = keys[0] if keys else None
    limit = int(page.limit)  # a literal, as PostgreSQL's estimates need (see below)
    shape = _Shape(
        after is not None,
        wanted.status is not None,
        wanted.level is not None,
        wanted.supervisor_id is not None,
        wanted.team_id is not None,
        not wanted.include_left,
    )
    arguments = _roster_arguments(agency_id, after, wanted, today)
    return RosterQuery(_roster_sql(shape, limit), tuple(arguments), limit)


class _Shape(NamedTuple):
    """Which conditions a roster page has: its statement's text depends on these alone."""

    after: bool
    status: bool
    level: bool
    supervisor: bool
    team: bool
    current_only: bool


async def roster_page(
    conn: Connection, query: RosterQuery, starting: Callable[[], None] = lambda: None
) -> RosterPage:
    """The page `query` reads; `starting` is called right before the query is sent. The
    rows come as they are read and are joined here: joining them in PostgreSQL
    (`string_agg` over a CTE) cost it more CPU than the whole rest of the query, and
    decoding fifty text rows costs the service no more than one long one."""
    starting()
    rows = await conn.fetch(query.sql, *query.arguments)
    kept = rows[: query.limit]
    more = len(rows) > query.limit and bool(kept)
    return RosterPage(",".join([row[0] for row in kept]), kept[-1][1] if more else None)


def _roster_arguments(
    agency_id: str, after: str | None, wanted: RosterFilter, today: date
) -> list[object]:
    """The arguments of a page's statement, in the order of its parameters
    (`_roster_conditions`)."""
    arguments: list[object] = [agency_id]
    for value in (after, wanted.status, wanted.level, wanted.supervisor_id, wanted.team_id):
        if value is not None:
            arguments.append(value)
    if not wanted.include_left:
        arguments.append(today)
    return arguments


# one text per shape and page size, built once: a page's statement is the same text on
# every request of its shape (as PostgreSQL's plan cache and asyncpg's statement cache
# need it), only its arguments differ
@functools.lru_cache(maxsize=256)
def _roster_sql(shape: _Shape, limit: int) -> str:
    where = _roster_conditions(shape)
    rows = ROSTER_ITEM_SELECT.rstrip()
    if shape.after:  # the cursor is the second parameter (_roster_conditions)
        rows += _EVALUATIONS_AFTER.format("$2")
    return rows + f" WHERE {where} ORDER BY p.practitioner_id LIMIT {limit + 1}"


def _roster_conditions(shape: _Shape) -> str:
    """The WHERE clause of a roster page: a condition for each filter given and for the
    cursor when there is one, never `$n IS NULL OR …`, and the page's size a literal.
    With those PostgreSQL cannot estimate what a generic plan reads (a LIMIT of a
    parameter is taken for a tenth of the rows), so it planned the board's list anew on
    every request, planning costing more than running it; as written here the first page
    of a filter is planned once a session (one text per filter and size)."""
    count = 1

    def parameter() -> str:
        nonlocal count
        count += 1
        return f"${count}"

    conditions = ["p.agency_id = $1"]
    if shape.after:
        conditions.append(f"p.practitioner_id > {parameter()}::text")
    if shape.status or shape.level:
        held = ["f.agency_id = p.agency_id", "f.practitioner_id = p.practitioner_id"]
        if shape.status:
            held.append(f"f.status = {parameter()}::text")
        if shape.level:
            held.append(f"f.level_key = {parameter()}::text")
        conditions.append(f"EXISTS (SELECT 1 FROM level_statuses f WHERE {' AND '.join(held)})")
    if shape.supervisor:
        conditions.append(f"p.supervisor_id = {parameter()}::text")
    if shape.team:
        conditions.append(f"p.team_id = {parameter()}::text")
    if shape.current_only:
        conditions.append(f"(p.left_on IS NULL OR p.left_on > {parameter()}::date)")
    return " AND ".join(conditions)


# the entry with the practitioner's roster history (`roster_changes` rows, oldest first),
# so a detail read is one round trip; asyncpg decodes each row to a record of its columns
_COLUMNS, _FROM = ROSTER_SELECT.split("FROM practitioners p", 1)
_DETAIL_SELECT = f"""{_COLUMNS},
    ARRAY(SELECT c FROM roster_changes c
          WHERE c.agency_id = p.agency_id AND c.practitioner_id = p.practitioner_id
          ORDER BY c.effective_on, c.position) AS history
    FROM practitioners p{_FROM}"""


async def roster_row(
    conn: Connection, agency_id: str, practitioner_id: str
) -> asyncpg.Record | None:
    """The roster entry with its level statuses and its roster history (`history`)."""
    return await conn.fetchrow(
        _DETAIL_SELECT + " WHERE p.agency_id = $1 AND p.practitioner_id = $2",
        agency_id,
        practitioner_id,
    )


async def history_page(
    conn: Connection, agency_id: str, practitioner_id: str, page: PageRequest
) -> list[asyncpg.Record]:
    (after,) = keyset(page, "int") or (0,)
    return await conn.fetch(
        """
        SELECT * FROM transitions
        WHERE agency_id = $1 AND practitioner_id = $2 AND position > $3 AND published
        ORDER BY position LIMIT $4
        """,
        agency_id,
        practitioner_id,
        after,
        page.limit + 1,
    )


async def policy_versions(conn: Connection, agency_id: str) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT * FROM policy_versions WHERE agency_id = $1 ORDER BY policy_id, policy_version",
        agency_id,
    )


async def adoptions_page(
    conn: Connection, agency_id: str, page: PageRequest
) -> list[asyncpg.Record]:
    (after,) = keyset(page, "int") or (0,)
    return await conn.fetch(
        "SELECT * FROM policy_adoptions WHERE agency_id = $1 AND position > $2"
        " ORDER BY position LIMIT $3",
        agency_id,
        after,
        page.limit + 1,
    )
