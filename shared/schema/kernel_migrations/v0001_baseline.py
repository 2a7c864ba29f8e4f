"""Baseline: the kernel's tables as the previous release (c65b817) created them. Frozen.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

from shared.schema.baseline import KERNEL
from shared.schema.scripts import run_script

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    run_script(KERNEL)


def downgrade() -> None:
    raise NotImplementedError("the baseline is not undone: drop the schema to start over")
