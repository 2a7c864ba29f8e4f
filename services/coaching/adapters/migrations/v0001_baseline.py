"""Baseline: the coaching schema as the previous release (c65b817) created it at start-up.

Frozen. Its statements are idempotent, so it creates an empty schema and equally takes a
database the previous release made (tables already there, rows kept) under version
control. Later changes are later revisions (docs/migrations.md).

Revision ID: 0001
Revises:
"""

from __future__ import annotations

from typing import Final

from shared.schema.baseline import IMPORTS, KERNEL, ROSTER_COPY
from shared.schema.scripts import run_script

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

OWN: Final[tuple[str, ...]] = (
    """
    CREATE TABLE IF NOT EXISTS assignments (
        agency_id text NOT NULL,
        assignment_id uuid NOT NULL,
        coach_id text NOT NULL,
        practitioner_id text NOT NULL,
        valid_from date NOT NULL,
        valid_to date,
        fingerprint text NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (agency_id, assignment_id)
    )
    """,
    """
    CREATE INDEX IF NOT EXISTS assignments_practitioner_idx ON assignments (agency_id,
    practitioner_id, valid_from)
    """,
    "CREATE INDEX IF NOT EXISTS assignments_coach_idx ON assignments (agency_id, coach_id)",
    """
    CREATE TABLE IF NOT EXISTS plans (
        agency_id text NOT NULL,
        plan_id uuid NOT NULL,
        practitioner_id text NOT NULL,
        goals jsonb NOT NULL,
        fingerprint text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (agency_id, plan_id),
        CONSTRAINT plans_one_per_practitioner UNIQUE (agency_id, practitioner_id)
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS sessions (
        agency_id text NOT NULL,
        session_id uuid NOT NULL,
        coach_id text NOT NULL,
        practitioner_id text NOT NULL,
        held_on date NOT NULL,
        duration_minutes integer NOT NULL,
        modality text NOT NULL,
        components text[] NOT NULL,
        competencies text[] NOT NULL,
        goal_ids text[] NOT NULL,
        notes text NOT NULL,
        fingerprint text NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (agency_id, session_id)
    )
    """,
    """
    CREATE INDEX IF NOT EXISTS sessions_practitioner_idx ON sessions (agency_id,
    practitioner_id, held_on)
    """,
    "CREATE INDEX IF NOT EXISTS sessions_held_on_idx ON sessions (agency_id, held_on)",
    """
    CREATE TABLE IF NOT EXISTS ratings (
        agency_id text NOT NULL,
        rating_id uuid NOT NULL,
        practitioner_id text NOT NULL,
        rater_id text NOT NULL,
        competency text NOT NULL,
        level text NOT NULL,
        rated_on date NOT NULL,
        source_type text NOT NULL,
        source_id text NOT NULL,
        note text NOT NULL,
        goals_achieved text[] NOT NULL,
        fingerprint text NOT NULL,
        recorded_at timestamptz NOT NULL,
        PRIMARY KEY (agency_id, rating_id)
    )
    """,
    """
    CREATE INDEX IF NOT EXISTS ratings_practitioner_idx ON ratings (agency_id,
    practitioner_id, rated_on)
    """,
    """
    CREATE TABLE IF NOT EXISTS peer_sessions (
        agency_id text NOT NULL,
        session_id uuid NOT NULL,
        facilitator_id text NOT NULL,
        participant_ids text[] NOT NULL,
        held_on date NOT NULL,
        competencies text[] NOT NULL,
        shared text NOT NULL,
        fingerprint text NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (agency_id, session_id)
    )
    """,
    "CREATE INDEX IF NOT EXISTS peer_sessions_held_on_idx ON peer_sessions (agency_id, held_on)",
    """
    CREATE TABLE IF NOT EXISTS reflections (
        agency_id text NOT NULL,
        reflection_id uuid NOT NULL,
        practitioner_id text NOT NULL,
        written_on date NOT NULL,
        competency text,
        text text NOT NULL,
        fingerprint text NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (agency_id, reflection_id)
    )
    """,
    "CREATE INDEX IF NOT EXISTS reflections_written_on_idx ON reflections (agency_id, written_on)",
    "DROP TABLE IF EXISTS teams",
    "DROP TABLE IF EXISTS registered_practitioners",
)

# in the order the previous release applied them
STATEMENTS: Final[tuple[str, ...]] = (*KERNEL, *OWN, *ROSTER_COPY, *IMPORTS)


def upgrade() -> None:
    run_script(STATEMENTS)


def downgrade() -> None:
    raise NotImplementedError("the baseline is not undone: drop the schema to start over")
