"""The board's supervisor and team filters read through an index of their own.

`GET /practitioners?supervisor_id=…` (a supervisor's own board, the portal's usual view)
and `?team_id=…` had no index to read: PostgreSQL scanned the whole agency's roster (or
the whole table) for the supervisor's few practitioners, 5 ms for an agency of 10,000
and more with every agency the table holds. Each index leads with the agency and the
filter and ends with the practitioner id, so a page is read in the list's order and a
cursor starts it where the last one ended.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from typing import Final

from shared.schema.scripts import run_script

revision = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None

OWN: Final[tuple[str, ...]] = (
    "CREATE INDEX IF NOT EXISTS practitioners_supervisor_idx"
    " ON practitioners (agency_id, supervisor_id, practitioner_id)",
    "CREATE INDEX IF NOT EXISTS practitioners_team_idx"
    " ON practitioners (agency_id, team_id, practitioner_id)",
)


def upgrade() -> None:
    run_script(OWN)


def downgrade() -> None:
    run_script(
        (
            "DROP INDEX IF EXISTS practitioners_team_idx",
            "DROP INDEX IF EXISTS practitioners_supervisor_idx",
        )
    )
