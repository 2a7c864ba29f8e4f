"""Partition claims and the dead letters' status (the kernel's 0002).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from shared.schema.kernel_0002 import KERNEL_0002
from shared.schema.scripts import run_script

revision = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    run_script(KERNEL_0002)


def downgrade() -> None:
    raise NotImplementedError("not undone: restore the schema from a backup")
