"""Baseline: the fidelity schema as the previous release (c65b817) created it at start-up.

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
    CREATE TABLE IF NOT EXISTS instruments (
        agency_id text NOT NULL,
        key text NOT NULL,
        version integer NOT NULL,
        title text NOT NULL,
        kind text NOT NULL,
        definition jsonb NOT NULL,
        indicator_count integer NOT NULL,
        published_at timestamptz NOT NULL DEFAULT now(),
        published_by text,
        CONSTRAINT instruments_pkey PRIMARY KEY (agency_id, key, version)
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS observations (
        agency_id text NOT NULL,
        id uuid NOT NULL,
        seq bigserial NOT NULL,
        practitioner_id text NOT NULL,
        observer_id text NOT NULL,
        instrument_key text NOT NULL,
        instrument_version integer NOT NULL,
        instrument_kind text NOT NULL,
        meeting_date date NOT NULL,
        setting text NOT NULL,
        total double precision NOT NULL,
        band text NOT NULL,
        domain_scores jsonb NOT NULL,
        item_scores jsonb NOT NULL,
        ratings jsonb NOT NULL,
        observer_calibrated boolean NOT NULL,
        calibration_reason text NOT NULL,
        co_observation_of uuid,
        content_hash text NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        recorded_by text NOT NULL,
        CONSTRAINT observations_pkey PRIMARY KEY (agency_id, id)
    )
    """,
    """
    CREATE INDEX IF NOT EXISTS observations_practitioner_idx
            ON observations (agency_id, practitioner_id, instrument_key, meeting_date, seq)
    """,
    """
    CREATE INDEX IF NOT EXISTS observations_observer_idx
            ON observations (agency_id, observer_id, meeting_date)
    """,
    """
    CREATE INDEX IF NOT EXISTS observations_listing_idx
            ON observations (agency_id, meeting_date DESC, seq DESC)
    """,
    """
    CREATE INDEX IF NOT EXISTS observations_co_observation_idx
            ON observations (agency_id, co_observation_of) WHERE co_observation_of IS NOT NULL
    """,
    """
    CREATE TABLE IF NOT EXISTS co_observation_comparisons (
        agency_id text NOT NULL,
        observation_id uuid NOT NULL,
        co_observation_of uuid NOT NULL,
        practitioner_id text NOT NULL,
        first_observer_id text NOT NULL,
        second_observer_id text NOT NULL,
        instrument_key text NOT NULL,
        instrument_version integer NOT NULL,
        meeting_date date NOT NULL,
        indicator_count integer NOT NULL,
        percent_agreement double precision NOT NULL,
        expected_agreement double precision NOT NULL,
        kappa double precision NOT NULL,
        CONSTRAINT co_observation_comparisons_pkey PRIMARY KEY (agency_id, observation_id)
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS calibration_references (
        agency_id text NOT NULL,
        id uuid NOT NULL,
        seq bigserial NOT NULL,
        title text NOT NULL,
        instrument_key text NOT NULL,
        instrument_version integer NOT NULL,
        meeting_date date NOT NULL,
        gold_ratings jsonb NOT NULL,
        content_hash text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by text NOT NULL,
        CONSTRAINT calibration_references_pkey PRIMARY KEY (agency_id, id)
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS calibration_attempts (
        agency_id text NOT NULL,
        id uuid NOT NULL,
        seq bigserial NOT NULL,
        observer_id text NOT NULL,
        reference_id uuid NOT NULL,
        attempted_on date NOT NULL,
        kappa double precision NOT NULL,
        percent_agreement double precision NOT NULL,
        bar double precision NOT NULL,
        passed boolean NOT NULL,
        ratings jsonb NOT NULL,
        content_hash text NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        recorded_by text NOT NULL,
        CONSTRAINT calibration_attempts_pkey PRIMARY KEY (agency_id, id)
    )
    """,
    """
    CREATE INDEX IF NOT EXISTS calibration_attempts_observer_idx
            ON calibration_attempts (agency_id, observer_id, attempted_on)
    """,
    """
    CREATE TABLE IF NOT EXISTS drift_signals (
        agency_id text NOT NULL,
        id uuid NOT NULL,
        seq bigserial NOT NULL,
        practitioner_id text NOT NULL,
        instrument_key text NOT NULL,
        kind text NOT NULL,
        domain_id text,
        observation_id uuid NOT NULL,
        detected_on date NOT NULL,
        observation_ids jsonb NOT NULL,
        from_band text,
        to_band text,
        drop double precision NOT NULL,
        reason text NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT drift_signals_pkey PRIMARY KEY (agency_id, id)
    )
    """,
    """
    CREATE INDEX IF NOT EXISTS drift_signals_practitioner_idx
            ON drift_signals (agency_id, practitioner_id, instrument_key, detected_on)
    """,
    "ALTER TABLE observations ADD COLUMN IF NOT EXISTS imported boolean NOT NULL DEFAULT false",
    "ALTER TABLE observations ADD COLUMN IF NOT EXISTS source text NOT NULL DEFAULT 'observed'",
)

# in the order the previous release applied them
STATEMENTS: Final[tuple[str, ...]] = (*KERNEL, *OWN, *ROSTER_COPY, *IMPORTS)


def upgrade() -> None:
    run_script(STATEMENTS)


def downgrade() -> None:
    raise NotImplementedError("the baseline is not undone: drop the schema to start over")
