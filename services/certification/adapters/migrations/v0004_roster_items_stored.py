"""The board's roster items stored in two parts, so a page of the roster is read, not built.

`GET /practitioners` answers fifty items on every refresh of the agency board; building
each item's JSON (a `json_build_object` of the roster fields, a subquery aggregating its
`level_statuses`) was most of PostgreSQL's CPU for the page (~0.65 ms of ~0.75). Now
`practitioners.roster_item_head` holds the item's roster fields as JSON text without its
closing brace (a stored generated column: every write of the row, whichever path makes
it, computes it), and `evaluations.roster_item_tail` the rest (the levels, the
evaluation's day and next change), written with the evaluation's other columns in the
same statement; the page joins the two texts (adapters/listing.py).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from typing import Final

from shared.schema.scripts import run_script

revision = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None

# compact JSON (as the service's own answers); JSON of a date is ISO 8601 whatever the
# session's DateStyle, and of a text its escaped value: the function is immutable in
# fact, as a generated column requires
OWN: Final[tuple[str, ...]] = (
    """
    CREATE OR REPLACE FUNCTION roster_item_head(
        practitioner_id text, role text, program_start date, coach_id text,
        supervisor_id text, team_id text, left_on date
    ) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT '{"practitioner_id":' || to_json(practitioner_id)::text
            || ',"role":' || to_json(role)::text
            || ',"program_start":' || to_json(program_start)::text
            || ',"coach_id":' || coalesce(to_json(coach_id)::text, 'null')
            || ',"supervisor_id":' || coalesce(to_json(supervisor_id)::text, 'null')
            || ',"team_id":' || coalesce(to_json(team_id)::text, 'null')
            || ',"left_on":' || coalesce(to_json(left_on)::text, 'null')
    $$
    """,
    """
    ALTER TABLE practitioners ADD COLUMN IF NOT EXISTS roster_item_head text
        GENERATED ALWAYS AS (roster_item_head(practitioner_id, role, program_start,
            coach_id, supervisor_id, team_id, left_on)) STORED
    """,
    "ALTER TABLE evaluations ADD COLUMN IF NOT EXISTS roster_item_tail text",
    """
    UPDATE evaluations e SET roster_item_tail = ',"levels":' || coalesce(
        (SELECT json_agg(json_build_object('level', s.level_key, 'status', s.status,
                'since', s.since, 'certified_on', s.certified_on,
                'at_risk_since', s.at_risk_since) ORDER BY s.ordinal)
         FROM level_statuses s
         WHERE s.agency_id = e.agency_id AND s.practitioner_id = e.practitioner_id),
        '[]'::json)::text
        || ',"evaluated_as_of":' || to_json(e.as_of)::text
        || ',"next_change_on":' || coalesce(to_json(e.next_change_on)::text, 'null') || '}'
    """,
)


def upgrade() -> None:
    run_script(OWN)


def downgrade() -> None:
    run_script(
        (
            "ALTER TABLE evaluations DROP COLUMN IF EXISTS roster_item_tail",
            "ALTER TABLE practitioners DROP COLUMN IF EXISTS roster_item_head",
            "DROP FUNCTION IF EXISTS roster_item_head(text, text, date, text, text, text, date)",
        )
    )
