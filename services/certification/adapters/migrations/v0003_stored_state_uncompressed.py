"""The stored state's text kept inline as it is, not compressed, up to a 4 KB row.

Every evaluation writes the practitioner's `evaluations.state_json` (~2 KB: a rebuild
10,000 of them per agency). Past a ~2 KB row PostgreSQL compressed it with pglz, about
as much CPU as writing the row, paid again to decompress it for every
`GET …/certification`; with the table's tuple target at 4 KB such rows are stored as
they are (a larger state is still compressed). The value read is the same.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from typing import Final

from shared.schema.scripts import run_script

revision = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None

OWN: Final[tuple[str, ...]] = ("ALTER TABLE evaluations SET (toast_tuple_target = 4096)",)


def upgrade() -> None:
    run_script(OWN)


def downgrade() -> None:
    run_script(("ALTER TABLE evaluations RESET (toast_tuple_target)",))
