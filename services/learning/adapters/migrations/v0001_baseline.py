"""Baseline: the learning schema as the previous release (c65b817) created it at start-up.

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
    CREATE TABLE IF NOT EXISTS catalogs (
        version text PRIMARY KEY,
        content jsonb NOT NULL,
        published_at timestamptz NOT NULL DEFAULT now()
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS learners (
        agency_id text NOT NULL,
        practitioner_id text NOT NULL,
        enrollment_id uuid NOT NULL,
        enrolled_on date NOT NULL,
        catalog_version text NOT NULL,
        recorded_at timestamptz NOT NULL,
        PRIMARY KEY (agency_id, practitioner_id),
        CONSTRAINT learners_enrollment_id_key UNIQUE (agency_id, enrollment_id)
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS attempts (
        agency_id text NOT NULL,
        attempt_id uuid NOT NULL,
        practitioner_id text NOT NULL,
        module_id text NOT NULL,
        module_order integer NOT NULL,
        assessment_id text NOT NULL,
        scaled_score double precision NOT NULL,
        passed boolean NOT NULL,
        mastered_module boolean NOT NULL,
        previous_module_mastered boolean,
        attempted_at timestamptz NOT NULL,
        source_statement_id text,
        recorded_at timestamptz NOT NULL,
        PRIMARY KEY (agency_id, attempt_id)
    )
    """,
    """
    CREATE INDEX IF NOT EXISTS attempts_practitioner_idx
        ON attempts (agency_id, practitioner_id, attempted_at, attempt_id)
    """,
    """
    CREATE TABLE IF NOT EXISTS concept_reviews (
        agency_id text NOT NULL,
        review_id uuid NOT NULL,
        practitioner_id text NOT NULL,
        concept_id text NOT NULL,
        module_id text NOT NULL,
        rating text NOT NULL,
        scaled_score double precision,
        reviewed_at timestamptz NOT NULL,
        next_due_at timestamptz NOT NULL,
        restored boolean NOT NULL,
        source_statement_id text,
        recorded_at timestamptz NOT NULL,
        PRIMARY KEY (agency_id, review_id)
    )
    """,
    """
    CREATE INDEX IF NOT EXISTS concept_reviews_practitioner_idx
        ON concept_reviews (agency_id, practitioner_id, reviewed_at, review_id)
    """,
    """
    CREATE TABLE IF NOT EXISTS review_cards (
        agency_id text NOT NULL,
        practitioner_id text NOT NULL,
        concept_id text NOT NULL,
        module_id text NOT NULL,
        due timestamptz NOT NULL,
        lapse_open boolean NOT NULL DEFAULT false,
        PRIMARY KEY (agency_id, practitioner_id, concept_id)
    )
    """,
    "ALTER TABLE concept_reviews ALTER COLUMN next_due_at DROP NOT NULL",
    "CREATE INDEX IF NOT EXISTS review_cards_due_idx ON review_cards (due) WHERE NOT lapse_open",
    "DROP TABLE IF EXISTS teams",
    """
    CREATE TABLE IF NOT EXISTS xapi_credentials (
        key text PRIMARY KEY,
        agency_id text NOT NULL,
        partner_name text NOT NULL,
        secret_digest bytea NOT NULL,
        secret_salt bytea NOT NULL,
        scrypt_n integer NOT NULL,
        scrypt_r integer NOT NULL,
        scrypt_p integer NOT NULL,
        authority jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        rotated_at timestamptz,
        revoked_at timestamptz
    )
    """,
    "CREATE INDEX IF NOT EXISTS xapi_credentials_agency_idx ON xapi_credentials (agency_id, key)",
    """
    CREATE TABLE IF NOT EXISTS xapi_statements (
        agency_id text NOT NULL,
        statement_id uuid NOT NULL,
        stored timestamptz NOT NULL,
        verb_id text NOT NULL,
        registration uuid,
        ref_target uuid,
        voids uuid,
        voided boolean NOT NULL DEFAULT false,
        credential_key text NOT NULL,
        document jsonb NOT NULL,
        PRIMARY KEY (agency_id, statement_id)
    )
    """,
    """
    CREATE INDEX IF NOT EXISTS xapi_statements_order_idx
        ON xapi_statements (agency_id, stored, statement_id)
    """,
    """
    CREATE INDEX IF NOT EXISTS xapi_statements_ref_idx
        ON xapi_statements (agency_id, ref_target) WHERE ref_target IS NOT NULL
    """,
    """
    CREATE INDEX IF NOT EXISTS xapi_statements_voids_idx
        ON xapi_statements (agency_id, voids) WHERE voids IS NOT NULL
    """,
    "CREATE INDEX IF NOT EXISTS xapi_statements_verb_idx ON xapi_statements (agency_id, verb_id)",
    """
    CREATE INDEX IF NOT EXISTS xapi_statements_registration_idx
        ON xapi_statements (agency_id, registration) WHERE registration IS NOT NULL
    """,
    """
    CREATE TABLE IF NOT EXISTS xapi_statement_agents (
        agency_id text NOT NULL,
        statement_id uuid NOT NULL,
        role text NOT NULL,
        identity_key text NOT NULL,
        via_member boolean NOT NULL
    )
    """,
    """
    CREATE INDEX IF NOT EXISTS xapi_statement_agents_idx
        ON xapi_statement_agents (agency_id, identity_key, role)
    """,
    """
    CREATE TABLE IF NOT EXISTS xapi_statement_activities (
        agency_id text NOT NULL,
        statement_id uuid NOT NULL,
        role text NOT NULL,
        activity_id text NOT NULL
    )
    """,
    """
    CREATE INDEX IF NOT EXISTS xapi_statement_activities_idx
        ON xapi_statement_activities (agency_id, activity_id, role)
    """,
    """
    CREATE TABLE IF NOT EXISTS xapi_attachments (
        agency_id text NOT NULL,
        sha2 text NOT NULL,
        content_type text NOT NULL,
        content bytea NOT NULL,
        PRIMARY KEY (agency_id, sha2)
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS xapi_activities (
        agency_id text NOT NULL,
        activity_id text NOT NULL,
        definition jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (agency_id, activity_id)
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS xapi_documents (
        agency_id text NOT NULL,
        resource text NOT NULL,
        activity_id text NOT NULL,
        agent_key text NOT NULL,
        registration text NOT NULL,
        document_id text NOT NULL,
        content_type text NOT NULL,
        content bytea NOT NULL,
        etag text NOT NULL,
        updated timestamptz NOT NULL,
        PRIMARY KEY (agency_id, resource, activity_id, agent_key, registration, document_id)
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS xapi_activity_mappings (
        agency_id text NOT NULL,
        activity_id text NOT NULL,
        kind text NOT NULL,
        target_id text NOT NULL,
        move_on text,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (agency_id, activity_id)
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS xapi_actor_mappings (
        agency_id text NOT NULL,
        identity_key text NOT NULL,
        agent jsonb NOT NULL,
        practitioner_id text NOT NULL,
        PRIMARY KEY (agency_id, identity_key)
    )
    """,
    """
    CREATE INDEX IF NOT EXISTS xapi_actor_mappings_practitioner_idx
        ON xapi_actor_mappings (agency_id, practitioner_id)
    """,
    """
    CREATE TABLE IF NOT EXISTS xapi_account_home_pages (
        agency_id text NOT NULL,
        home_page text NOT NULL,
        PRIMARY KEY (agency_id, home_page)
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS xapi_statement_outcomes (
        agency_id text NOT NULL,
        statement_id uuid NOT NULL,
        practitioner_id text,
        outcome text NOT NULL,
        detail text NOT NULL,
        record_id uuid,
        PRIMARY KEY (agency_id, statement_id)
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS xapi_au_satisfactions (
        agency_id text NOT NULL,
        registration uuid NOT NULL,
        activity_id text NOT NULL,
        statement_id uuid NOT NULL,
        PRIMARY KEY (agency_id, registration, activity_id)
    )
    """,
    "ALTER TABLE xapi_statement_outcomes ADD COLUMN IF NOT EXISTS activity_id text",
    "ALTER TABLE xapi_statement_outcomes ADD COLUMN IF NOT EXISTS identity_key text",
    "ALTER TABLE xapi_statement_outcomes ADD COLUMN IF NOT EXISTS reason_code text",
    "ALTER TABLE xapi_statement_outcomes ADD COLUMN IF NOT EXISTS practised_at timestamptz",
    """
    ALTER TABLE xapi_statement_outcomes
        ADD COLUMN IF NOT EXISTS updated_at timestamptz NOT NULL DEFAULT now()
    """,
    """
    CREATE INDEX IF NOT EXISTS xapi_statement_outcomes_pending_idx
        ON xapi_statement_outcomes (agency_id, reason_code) WHERE outcome = 'pending'
    """,
    """
    CREATE INDEX IF NOT EXISTS xapi_statement_outcomes_learner_idx
        ON xapi_statement_outcomes (agency_id, practitioner_id, activity_id, practised_at)
    """,
    """
    CREATE INDEX IF NOT EXISTS xapi_statement_outcomes_record_idx
        ON xapi_statement_outcomes (agency_id, record_id) WHERE record_id IS NOT NULL
    """,
    """
    CREATE INDEX IF NOT EXISTS xapi_statements_credential_idx
        ON xapi_statements (agency_id, credential_key, stored, statement_id)
    """,
)

# in the order the previous release applied them
STATEMENTS: Final[tuple[str, ...]] = (*KERNEL, *OWN, *ROSTER_COPY, *IMPORTS)


def upgrade() -> None:
    run_script(STATEMENTS)


def downgrade() -> None:
    raise NotImplementedError("the baseline is not undone: drop the schema to start over")
