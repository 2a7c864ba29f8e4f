"""An import's pending lines kept inline as they are, not compressed, up to an 8 KB row.

An observation line is ~3 KB of JSON (its ratings), so past PostgreSQL's ~2 KB row
threshold every line of an import was compressed with pglz when the upload stored it,
decompressed once when the worker read it back, and set to NULL minutes later with its
outcome: compression bought nothing but cost about a tenth of the PostgreSQL CPU of an
imported observation (`python -m tests.bench.bulk_import`: fidelity's backends 0.236 →
0.209 ms per line). With the table's tuple target at 8 KB such rows are stored as they
are (a larger line is still compressed). The value read is the same; rows written before
keep their compressed form. Only fidelity's lines are that large (an attempt's or a
registration's line is well under the threshold), so only its schema changes.

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

OWN: Final[tuple[str, ...]] = ("ALTER TABLE import_lines SET (toast_tuple_target = 8160)",)


def upgrade() -> None:
    run_script(OWN)


def downgrade() -> None:
    run_script(("ALTER TABLE import_lines RESET (toast_tuple_target)",))
