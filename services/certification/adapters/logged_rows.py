"""A rebuild's rows compared with, or written from, the log in SQL.

Evidence: when the stored rows are already exactly what the logged `evidence_received`
events project, a rebuild keeps them (`logged_evidence_kept`; written otherwise by
`projector.project_logged_evidence`).

Roster: `project_roster_events` decodes every roster event in Python, in log order,
because a leaving, a return or a change of details copies the details in force before
it. A log whose roster events are all registrations needs none of that: each
registration gives its `practitioners` row and its `roster_changes` row from its own
data alone, so a rebuild compares those rows with the stored ones
(`logged_roster_kept`) or writes them (`project_logged_registrations`) in one
statement, the events never decoded in Python. The rows are the ones
`roster_projection` writes for the same events, column for column.
"""

from __future__ import annotations

import asyncpg

from services.certification.adapters.roster_projection import HISTORY_COLUMNS
from services.certification.domain.events import ROSTER_EVENT_NAMES
from shared.database import Connection


async def logged_evidence_kept(conn: Connection, agency_id: str) -> int | None:
    """The number of the agency's logged `evidence_received` events when its log holds
    no `evidence_retracted` and its evidence rows are exactly the rows
    `project_logged_evidence` writes for those events (no row missing, none more, each
    equal byte for byte: `*=`, the comparison REFRESH MATERIALIZED VIEW CONCURRENTLY
    uses); otherwise None.

    A rebuild asks it first: such a log projects one row per logged event, and when
    they are all there already (the usual case, the live projection being right),
    rewriting them changes nothing but costs most of the rebuild's PostgreSQL time
    (each row's heap tuple and two index entries, their WAL, the dead rows left to
    vacuum). One pass over both, joined on the item's key (practitioner, event id): a
    retraction has no item, so it meets no row and counts as a difference; a repeated id
    in the log pairs one stored row with two logged rows of different positions, so it is
    never taken for a match. None at once when the agency has no evidence rows (a first
    build: nothing to keep)."""
    if not await conn.fetchval(_HOLDS_EVIDENCE, agency_id):
        return None
    row = await conn.fetchrow(_EVIDENCE_KEPT, agency_id)
    assert row is not None
    return None if row["differing"] else int(row["logged"])


# Whether the agency has a row: its first in the order of an index led by the agency, a
# plan kept whatever share of the table the agency is taken for (a scan would have to
# sort). A pooled connection's reused generic plan of `EXISTS (... WHERE agency_id = $1)`
# takes any agency for a tenth of the table and scans the table up to the agency's first
# row: all of it for an agency without rows (a first build; 35-85 ms among ten agencies).
_HOLDS_EVIDENCE = "SELECT true FROM evidence WHERE agency_id = $1 ORDER BY practitioner_id LIMIT 1"
_HOLDS_ROSTER = (
    "SELECT true FROM practitioners WHERE agency_id = $1 ORDER BY practitioner_id LIMIT 1"
)

_EVIDENCE_KEPT = """
WITH logged AS (
    SELECT agency_id, data->'item'->>'event_id' AS event_id,
        data->>'practitioner_id' AS practitioner_id, data->'item'->>'kind' AS kind,
        (data->'item'->>'occurred_on')::date AS occurred_on, data->>'source' AS source,
        data->'item' AS item, position
    FROM events
    WHERE agency_id = $1 AND name IN ('evidence_received', 'evidence_retracted')
)
SELECT count(l.position) AS logged,
    count(*) FILTER (WHERE l.position IS NULL OR s.position IS NULL OR (s *= l) IS NOT TRUE)
        AS differing
FROM logged l FULL JOIN (
    SELECT agency_id, event_id, practitioner_id, kind, occurred_on, source, item, position
    FROM evidence WHERE agency_id = $1
) s ON s.practitioner_id = l.practitioner_id AND s.event_id = l.event_id
"""


_CURRENT_COLUMNS = """agency_id, practitioner_id, role, program_start, coach_id, supervisor_id,
    team_id, left_on, registered_event_id, registered_at"""

# the agency's roster events, and the rows its registrations project (parameters: the
# agency, the roster event names)
_LOGGED = """
WITH logged AS (
    SELECT agency_id, position, event_id, name, data, metadata, recorded_at FROM events
    WHERE agency_id = $1 AND name = ANY($2::text[])
), history AS (
    SELECT agency_id, data->>'practitioner_id' AS practitioner_id, position, event_id,
        'registered'::text AS kind, (data->>'program_start')::date AS effective_on,
        data->>'role' AS role, (data->>'program_start')::date AS program_start,
        data->>'coach_id' AS coach_id, data->>'supervisor_id' AS supervisor_id,
        data->>'team_id' AS team_id, '{}'::text[] AS changed, data->>'reason' AS reason,
        (metadata->>'client_id')::uuid AS client_id,
        metadata->>'content_hash' AS content_hash, recorded_at
    FROM logged
), current AS (
    SELECT agency_id, practitioner_id, role, program_start, coach_id, supervisor_id,
        team_id, NULL::date AS left_on, event_id AS registered_event_id,
        recorded_at AS registered_at
    FROM history
), registrations_only AS (
    SELECT NOT EXISTS (SELECT FROM logged WHERE name <> 'practitioner_registered') AS yes
)
"""

_ROSTER_KEPT = f"""{_LOGGED}
SELECT (SELECT count(*) FROM logged) AS logged,
    NOT (SELECT yes FROM registrations_only)
    OR EXISTS (SELECT FROM history h FULL JOIN (
           SELECT {HISTORY_COLUMNS} FROM roster_changes WHERE agency_id = $1
       ) s ON s.position = h.position
       WHERE h.position IS NULL OR s.position IS NULL OR (s *= h) IS NOT TRUE)
    OR EXISTS (SELECT FROM current c FULL JOIN (
           SELECT {_CURRENT_COLUMNS} FROM practitioners WHERE agency_id = $1
       ) s ON s.practitioner_id = c.practitioner_id
       WHERE c.practitioner_id IS NULL OR s.practitioner_id IS NULL
           OR (s *= c) IS NOT TRUE) AS differing
"""

_ROSTER_PROJECTED = f"""{_LOGGED}, registered AS (
    INSERT INTO practitioners ({_CURRENT_COLUMNS})
    SELECT * FROM current WHERE (SELECT yes FROM registrations_only)
), registered_history AS (
    INSERT INTO roster_changes ({HISTORY_COLUMNS})
    SELECT * FROM history WHERE (SELECT yes FROM registrations_only) ORDER BY position
)
SELECT (SELECT yes FROM registrations_only) AS written, (SELECT count(*) FROM logged) AS logged
"""


async def logged_roster_kept(conn: Connection, agency_id: str) -> int | None:
    """The number of the agency's logged roster events when they are all registrations
    and its stored `practitioners` and `roster_changes` rows are exactly the rows those
    registrations project (no row missing, none more, each equal byte for byte: `*=`,
    the comparison REFRESH MATERIALIZED VIEW CONCURRENTLY uses); otherwise None, and
    None at once when the agency has no roster rows (a first build: nothing to keep).

    A practitioner registered twice pairs one `practitioners` row with two
    registrations of different event ids, so it is never taken for a match."""
    if not await conn.fetchval(_HOLDS_ROSTER, agency_id):
        return None
    row = await conn.fetchrow(_ROSTER_KEPT, agency_id, sorted(ROSTER_EVENT_NAMES))
    assert row is not None
    return None if row["differing"] else int(row["logged"])


async def project_logged_registrations(conn: Connection, agency_id: str) -> int | None:
    """Write the rows of the agency's logged registrations into its emptied roster, in
    one statement, when its roster events are all registrations of distinct
    practitioners: the number of events projected; otherwise None, nothing written (a
    savepoint: a practitioner registered twice meets the row of the first), and the
    caller replays the roster events in Python."""
    try:
        async with conn.transaction():  # a savepoint
            row = await conn.fetchrow(_ROSTER_PROJECTED, agency_id, sorted(ROSTER_EVENT_NAMES))
    except asyncpg.UniqueViolationError:
        return None
    assert row is not None
    return int(row["logged"]) if row["written"] else None
