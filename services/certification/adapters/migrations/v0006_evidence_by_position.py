"""A practitioner's evidence indexed in position order, so a read of the rows after a
position reads only those.

An evaluation reads the practitioner's evidence stored after the last row its process
holds parsed (`evaluation_reads`). Under an index of (agency, practitioner) alone,
PostgreSQL fetched every one of the practitioner's rows to test its position, a cost
growing with the history (64 practitioners of 390 items: 16-25 ms a consumer batch, for
no row found). Ending the index with `position` reads only the newer rows (0.2 ms), and
serves every lookup the old index served (its leading columns are the same), which it
replaces.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from typing import Final

from shared.schema.scripts import run_script

revision = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None

OWN: Final[tuple[str, ...]] = (
    "CREATE INDEX IF NOT EXISTS evidence_practitioner_position_idx"
    " ON evidence (agency_id, practitioner_id, position)",
    "DROP INDEX IF EXISTS evidence_practitioner_idx",
)


def upgrade() -> None:
    run_script(OWN)


def downgrade() -> None:
    run_script(
        (
            "CREATE INDEX IF NOT EXISTS evidence_practitioner_idx"
            " ON evidence (agency_id, practitioner_id)",
            "DROP INDEX IF EXISTS evidence_practitioner_position_idx",
        )
    )
