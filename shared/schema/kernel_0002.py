"""The kernel's second revision, frozen: partition claims (consumers sharing work across
replicas) and the dead letters' status (the operations API retries or discards them).
Every chain's v0002 runs it."""

from __future__ import annotations

from typing import Final

KERNEL_0002: Final[tuple[str, ...]] = (
    """
    CREATE TABLE IF NOT EXISTS partition_members (
        consumer text NOT NULL,
        holder text NOT NULL,
        expires_at timestamptz NOT NULL,
        PRIMARY KEY (consumer, holder)
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS partition_claims (
        consumer text NOT NULL,
        partition integer NOT NULL,
        holder text NOT NULL,
        claimed_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        PRIMARY KEY (consumer, partition)
    )
    """,
    """
    ALTER TABLE dead_letters ADD COLUMN IF NOT EXISTS status text NOT NULL DEFAULT 'dead'
        CHECK (status IN ('dead', 'retried', 'discarded'))
    """,
    "ALTER TABLE dead_letters ADD COLUMN IF NOT EXISTS retries integer NOT NULL DEFAULT 0",
    "ALTER TABLE dead_letters ADD COLUMN IF NOT EXISTS resolved_at timestamptz",
    "ALTER TABLE dead_letters ADD COLUMN IF NOT EXISTS resolved_by text",
    "CREATE INDEX IF NOT EXISTS dead_letters_status_idx ON dead_letters (status, id)",
)
