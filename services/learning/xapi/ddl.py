"""The LRS tables, in the learning service's schema. Every row carries its agency.

- `xapi_statements`: each Statement as stored (JSONB), with the columns the filters
  need: `stored`, the Verb, the registration, the StatementRef target (`ref_target`,
  followed by the recursive filter CTEs), what it voids and whether it is voided.
- `xapi_statement_agents` / `xapi_statement_activities`: one row per reference from
  `matching.agent_references` / `activity_references`, so `agent` and `activity`
  filters (with or without `related_*`) are index lookups on (identity, role).
- `xapi_attachments`: Attachment data by SHA-2; `xapi_activities`: canonical Activity
  definitions; `xapi_documents`: State, Activity Profile and Agent Profile documents.
- `xapi_credentials`: HTTP Basic credentials of LMS partners (scrypt hashes only).
- `xapi_activity_mappings`, `xapi_actor_mappings`, `xapi_account_home_pages`: how an
  agency's Statements become learning evidence; `xapi_statement_outcomes` says, per
  stored Statement, what it became (`recorded`), why not (`skipped`) or what it waits
  for (`pending`: a mapping, a learner, a partner Statement); `xapi_au_satisfactions` records the
  Statement that first satisfied a cmi5 AU's moveOn in a registration.
"""

from __future__ import annotations

XAPI_MIGRATIONS = [
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
    # every stored Statement's outcome: recorded, skipped (why) or pending (waiting for
    # a mapping, a learner or a partner Statement), with what re-evaluation looks up by
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
]
