"""Baseline: the certification schema as the previous release (c65b817) created it at start-up.

Frozen. Its statements are idempotent, so it creates an empty schema and equally takes a
database the previous release made (tables already there, rows kept) under version
control. Later changes are later revisions (docs/migrations.md).

Revision ID: 0001
Revises:
"""

from __future__ import annotations

from typing import Final

from shared.schema.baseline import IMPORTS, KERNEL
from shared.schema.scripts import run_script

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

OWN: Final[tuple[str, ...]] = (
    """
    CREATE TABLE IF NOT EXISTS practitioners (
        agency_id text NOT NULL,
        practitioner_id text NOT NULL,
        role text NOT NULL,
        program_start date NOT NULL,
        coach_id text,
        supervisor_id text,
        registered_event_id uuid NOT NULL,
        registered_at timestamptz NOT NULL,
        PRIMARY KEY (agency_id, practitioner_id)
    )
    """,
    "ALTER TABLE practitioners ADD COLUMN IF NOT EXISTS team_id text",
    "ALTER TABLE practitioners ADD COLUMN IF NOT EXISTS left_on date",
    """
    CREATE TABLE IF NOT EXISTS roster_changes (
        agency_id text NOT NULL,
        practitioner_id text NOT NULL,
        position bigint NOT NULL,
        event_id uuid NOT NULL,
        kind text NOT NULL,
        effective_on date NOT NULL,
        role text NOT NULL,
        program_start date NOT NULL,
        coach_id text,
        supervisor_id text,
        team_id text,
        changed text[] NOT NULL,
        reason text,
        client_id uuid,
        content_hash text,
        recorded_at timestamptz NOT NULL,
        PRIMARY KEY (agency_id, position)
    )
    """,
    """
    CREATE INDEX IF NOT EXISTS roster_changes_practitioner_idx ON roster_changes
    (agency_id, practitioner_id, effective_on, position)
    """,
    """
    CREATE UNIQUE INDEX IF NOT EXISTS roster_changes_client_idx ON roster_changes
    (agency_id, client_id) WHERE client_id IS NOT NULL
    """,
    """
    INSERT INTO roster_changes (agency_id, practitioner_id, position, event_id, kind,
        effective_on, role, program_start, coach_id, supervisor_id, team_id, changed,
        recorded_at)
    SELECT p.agency_id, p.practitioner_id, e.position, p.registered_event_id, 'registered',
        p.program_start, p.role, p.program_start, p.coach_id, p.supervisor_id, p.team_id,
        '{}', p.registered_at
    FROM practitioners p JOIN events e ON e.event_id = p.registered_event_id
    WHERE NOT EXISTS (SELECT 1 FROM roster_changes r
        WHERE r.agency_id = p.agency_id AND r.practitioner_id = p.practitioner_id)
    """,
    """
    CREATE TABLE IF NOT EXISTS evidence (
        agency_id text NOT NULL,
        event_id text NOT NULL,
        practitioner_id text NOT NULL,
        kind text NOT NULL,
        occurred_on date NOT NULL,
        source text NOT NULL,
        item jsonb NOT NULL,
        position bigint NOT NULL,
        PRIMARY KEY (agency_id, event_id)
    )
    """,
    "CREATE INDEX IF NOT EXISTS evidence_practitioner_idx ON evidence (agency_id, practitioner_id)",
    """
    CREATE TABLE IF NOT EXISTS observer_calibrations (
        agency_id text NOT NULL,
        attempt_id text NOT NULL,
        observer_id text NOT NULL,
        instrument_key text NOT NULL,
        valid_from date NOT NULL,
        valid_until date NOT NULL,
        event_id uuid NOT NULL,
        PRIMARY KEY (agency_id, attempt_id)
    )
    """,
    """
    CREATE INDEX IF NOT EXISTS observer_calibrations_observer_idx ON
    observer_calibrations (agency_id, observer_id)
    """,
    """
    CREATE TABLE IF NOT EXISTS evidence_retractions (
        agency_id text NOT NULL,
        event_id text NOT NULL,
        practitioner_id text NOT NULL,
        retracted_by uuid NOT NULL,
        PRIMARY KEY (agency_id, event_id)
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS policy_versions (
        agency_id text NOT NULL,
        policy_id text NOT NULL,
        policy_version integer NOT NULL,
        title text NOT NULL,
        policy jsonb NOT NULL,
        created_by text,
        created_at timestamptz NOT NULL,
        PRIMARY KEY (agency_id, policy_id, policy_version)
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS policy_adoptions (
        agency_id text NOT NULL,
        position bigint NOT NULL,
        event_id uuid NOT NULL,
        policy_id text NOT NULL,
        policy_version integer NOT NULL,
        adopted_on date NOT NULL,
        adopted_by text,
        recorded_at timestamptz NOT NULL,
        PRIMARY KEY (agency_id, position)
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS transitions (
        agency_id text NOT NULL,
        position bigint NOT NULL,
        event_id uuid NOT NULL,
        practitioner_id text NOT NULL,
        level_key text NOT NULL,
        kind text NOT NULL,
        effective_on date NOT NULL,
        from_status text NOT NULL,
        to_status text NOT NULL,
        policy_id text NOT NULL,
        policy_version integer NOT NULL,
        reason text,
        explanation jsonb NOT NULL,
        correction boolean NOT NULL,
        corrects uuid[] NOT NULL,
        retracted_by uuid,
        recorded_at timestamptz NOT NULL,
        PRIMARY KEY (agency_id, position)
    )
    """,
    "CREATE UNIQUE INDEX IF NOT EXISTS transitions_event_idx ON transitions (agency_id, event_id)",
    """
    CREATE INDEX IF NOT EXISTS transitions_practitioner_idx ON transitions (agency_id,
    practitioner_id, position)
    """,
    """
    CREATE TABLE IF NOT EXISTS evaluations (
        agency_id text NOT NULL,
        practitioner_id text NOT NULL,
        policy_id text NOT NULL,
        policy_version integer NOT NULL,
        as_of date NOT NULL,
        next_change_on date,
        PRIMARY KEY (agency_id, practitioner_id)
    )
    """,
    "CREATE INDEX IF NOT EXISTS evaluations_due_idx ON evaluations (next_change_on)",
    """
    CREATE TABLE IF NOT EXISTS level_statuses (
        agency_id text NOT NULL,
        practitioner_id text NOT NULL,
        level_key text NOT NULL,
        ordinal integer NOT NULL,
        status text NOT NULL,
        since date,
        certified_on date,
        at_risk_since date,
        PRIMARY KEY (agency_id, practitioner_id, level_key)
    )
    """,
    "CREATE INDEX IF NOT EXISTS level_statuses_status_idx ON level_statuses (agency_id, status)",
    "ALTER TABLE transitions ADD COLUMN IF NOT EXISTS true_effective_on date",
    "ALTER TABLE transitions ADD COLUMN IF NOT EXISTS published boolean NOT NULL DEFAULT true",
    """
    CREATE TABLE IF NOT EXISTS import_windows (
        agency_id text NOT NULL,
        window_id text NOT NULL,
        label text,
        content_hash text NOT NULL,
        opened_at timestamptz NOT NULL,
        opened_by text,
        closed_at timestamptz,
        closed_by text,
        practitioners_held integer,
        transitions_published integer,
        PRIMARY KEY (agency_id, window_id)
    )
    """,
    """
    CREATE UNIQUE INDEX IF NOT EXISTS import_windows_open_idx ON import_windows
    (agency_id) WHERE closed_at IS NULL
    """,
    """
    CREATE TABLE IF NOT EXISTS import_window_practitioners (
        agency_id text NOT NULL,
        window_id text NOT NULL,
        practitioner_id text NOT NULL,
        PRIMARY KEY (agency_id, window_id, practitioner_id)
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS rejected_evidence (
        event_id text PRIMARY KEY,
        agency_id text NOT NULL,
        source_type text NOT NULL,
        error text NOT NULL,
        payload jsonb NOT NULL,
        rejected_at timestamptz NOT NULL DEFAULT now()
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS agencies (
        agency_id text PRIMARY KEY,
        name text NOT NULL,
        url text,
        first_admin_id text NOT NULL,
        registered_by text NOT NULL,
        registered_at timestamptz NOT NULL DEFAULT now(),
        content_hash text NOT NULL
    )
    """,
)

# in the order the previous release applied them
STATEMENTS: Final[tuple[str, ...]] = (*KERNEL, *OWN, *IMPORTS)


def upgrade() -> None:
    run_script(STATEMENTS)


def downgrade() -> None:
    raise NotImplementedError("the baseline is not undone: drop the schema to start over")
