"""An observation's item scores and ratings kept as validated JSON text (`json`), not `jsonb`.

`item_scores` and `ratings` (~3.2 KB of JSON a row on the team-meeting tool: 20 items,
64 ratings) are only ever written whole and read whole; no statement looks inside
them. As `jsonb`, PostgreSQL decomposed every row's text into its binary form on
insert, most of the INSERT's cost. A `json` value is only checked and kept as its
text; a read decodes to the same values (the connection's codec takes both), an
object's keys in the order written rather than `jsonb`'s (shorter first).
`domain_scores` stays `jsonb`: drift's history read looks into it
(`drift_history_rows.py`).

The upgrade rewrites the table once (`ALTER COLUMN … TYPE json`, holding writes to
`observations` while it runs); the values read are the same.

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

_COLUMNS: Final[tuple[str, ...]] = ("item_scores", "ratings")


def _retyped(to: str) -> str:
    changes = ", ".join(f"ALTER COLUMN {c} TYPE {to} USING {c}::{to}" for c in _COLUMNS)
    return f"ALTER TABLE observations {changes}"


def upgrade() -> None:
    run_script((_retyped("json"),))


def downgrade() -> None:
    run_script((_retyped("jsonb"),))
