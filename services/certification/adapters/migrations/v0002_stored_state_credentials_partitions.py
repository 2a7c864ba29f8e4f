"""Stored state, credentials, and the kernel's 0002 (partition claims, dead letter status).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from typing import Final

from shared.schema.kernel_0002 import KERNEL_0002
from shared.schema.scripts import run_script

revision = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

# stored state (the body of `GET …/certification` as of `state_as_of`) and credentials
OWN: Final[tuple[str, ...]] = (
    "ALTER TABLE evaluations ADD COLUMN IF NOT EXISTS state_json text",
    "ALTER TABLE evaluations ADD COLUMN IF NOT EXISTS state_as_of date",
    """
    CREATE TABLE IF NOT EXISTS credential_keys (
        agency_id text NOT NULL,
        kid text NOT NULL,
        public_jwk jsonb NOT NULL,
        private_key_pem text NOT NULL,
        encrypted boolean NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        retired_at timestamptz,
        PRIMARY KEY (agency_id, kid)
    )
    """,
    """
    CREATE UNIQUE INDEX IF NOT EXISTS credential_keys_one_active
        ON credential_keys (agency_id) WHERE retired_at IS NULL
    """,
    """
    CREATE TABLE IF NOT EXISTS credentials (
        agency_id text NOT NULL,
        credential_id text NOT NULL,
        credential_url text NOT NULL,
        practitioner_id text NOT NULL,
        level text NOT NULL,
        level_title text NOT NULL,
        status text NOT NULL,
        status_reason text,
        status_changed_on date,
        status_index integer NOT NULL,
        valid_from date NOT NULL,
        valid_until date,
        key_id text NOT NULL,
        transition_event_id text NOT NULL,
        jwt text NOT NULL,
        issued_at timestamptz NOT NULL,
        PRIMARY KEY (agency_id, credential_id),
        UNIQUE (agency_id, status_index)
    )
    """,
    """
    CREATE INDEX IF NOT EXISTS credentials_by_practitioner
        ON credentials (agency_id, practitioner_id, level)
    """,
)


def upgrade() -> None:
    run_script((*KERNEL_0002, *OWN))


def downgrade() -> None:
    raise NotImplementedError("not undone: restore the schema from a backup")
