"""The learning schema: catalog versions and the projections written with the events.

Everything but `catalogs` can be rebuilt from the event log; `catalogs` is reference
data seeded at start-up. Every projection row carries its agency.
"""

from __future__ import annotations

MIGRATIONS = [
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
    # a review may now arrive before the mastery it follows (it has no due date yet)
    "ALTER TABLE concept_reviews ALTER COLUMN next_due_at DROP NOT NULL",
    # the lapse check only looks at cards not already announced as lapsed
    "CREATE INDEX IF NOT EXISTS review_cards_due_idx ON review_cards (due) WHERE NOT lapse_open",
    # teams are the roster's (certification's, copied by the kernel consumer) now
    "DROP TABLE IF EXISTS teams",
]
