"""The kernel's tables as the previous release (c65b817) created them at start-up: frozen.

Every service's baseline revision runs these before its own statements. They are
idempotent (`IF NOT EXISTS`), so a baseline both creates an empty schema and takes a
database the previous release made under version control with every row kept. Never
edit them: a change to a table is a new revision (docs/migrations.md).
"""

from __future__ import annotations

from typing import Final

KERNEL: Final[tuple[str, ...]] = (
    """
    CREATE TABLE IF NOT EXISTS events (
        position bigserial PRIMARY KEY,
        tx_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
        event_id uuid NOT NULL,
        stream_id text NOT NULL,
        stream_version integer NOT NULL,
        agency_id text NOT NULL,
        name text NOT NULL,
        schema_version integer NOT NULL,
        subject text,
        occurred_at timestamptz NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        data jsonb NOT NULL,
        metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
        CONSTRAINT events_event_id_key UNIQUE (event_id),
        CONSTRAINT events_stream_version_key UNIQUE (stream_id, stream_version)
    )
    """,
    "CREATE INDEX IF NOT EXISTS events_tx_position_idx ON events (tx_id, position)",
    "CREATE INDEX IF NOT EXISTS events_agency_subject_idx ON events (agency_id, subject)",
    """
    CREATE TABLE IF NOT EXISTS relay_checkpoints (
        relay text PRIMARY KEY,
        tx_id xid8 NOT NULL,
        position bigint NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS relay_leases (
        relay text PRIMARY KEY,
        holder text NOT NULL,
        holder_pid integer NOT NULL,
        epoch bigint NOT NULL,
        renewed_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS consumer_inbox (
        consumer text NOT NULL,
        event_id text NOT NULL,
        stream_seq bigint NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, event_id)
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS dead_letters (
        id bigserial PRIMARY KEY,
        consumer text NOT NULL,
        event_id text,
        subject text NOT NULL,
        stream_seq bigint NOT NULL,
        deliveries integer NOT NULL,
        error text NOT NULL,
        payload bytea NOT NULL,
        failed_at timestamptz NOT NULL DEFAULT now()
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS idempotency_keys (
        agency_id text NOT NULL,
        principal text NOT NULL,
        route text NOT NULL,
        key text NOT NULL,
        fingerprint text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        lease_until timestamptz,
        applied_at timestamptz,
        response_status integer,
        response_headers jsonb,
        response_body bytea,
        PRIMARY KEY (agency_id, principal, route, key)
    )
    """,
    "CREATE INDEX IF NOT EXISTS idempotency_keys_expiry_idx ON idempotency_keys (expires_at)",
)

ROSTER_COPY: Final[tuple[str, ...]] = (
    """
    CREATE TABLE IF NOT EXISTS roster_details (
        agency_id text NOT NULL,
        practitioner_id text NOT NULL,
        effective_on date NOT NULL,
        rank smallint NOT NULL,
        recorded_at timestamptz NOT NULL,
        event_id text NOT NULL,
        role text,
        coach_id text,
        supervisor_id text,
        team_id text,
        program_start date NOT NULL,
        PRIMARY KEY (agency_id, practitioner_id, effective_on)
    )
    """,
    """
    CREATE INDEX IF NOT EXISTS roster_details_supervisor_idx ON roster_details
    (agency_id, supervisor_id)
    """,
    "CREATE INDEX IF NOT EXISTS roster_details_team_idx ON roster_details (agency_id, team_id)",
    """
    CREATE TABLE IF NOT EXISTS roster_departures (
        agency_id text NOT NULL,
        practitioner_id text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('left', 'returned')),
        effective_on date NOT NULL,
        reason text,
        event_id text NOT NULL,
        PRIMARY KEY (agency_id, practitioner_id, kind, effective_on)
    )
    """,
)

IMPORTS: Final[tuple[str, ...]] = (
    """
    CREATE TABLE IF NOT EXISTS imports (
        agency_id text NOT NULL,
        id uuid NOT NULL,
        dry_run boolean NOT NULL,
        status text NOT NULL,
        principal jsonb NOT NULL,
        total integer NOT NULL,
        failed_rounds integer NOT NULL DEFAULT 0,
        failure text,
        created_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        CONSTRAINT imports_pkey PRIMARY KEY (agency_id, id)
    )
    """,
    """
    CREATE INDEX IF NOT EXISTS imports_running_idx ON imports (created_at)
            WHERE status = 'running'
    """,
    """
    CREATE TABLE IF NOT EXISTS import_lines (
        agency_id text NOT NULL,
        import_id uuid NOT NULL,
        line_no integer NOT NULL,
        kind text NOT NULL,
        record_id text NOT NULL,
        fields jsonb,
        outcome text,
        problem jsonb,
        CONSTRAINT import_lines_pkey PRIMARY KEY (agency_id, import_id, line_no)
    )
    """,
    """
    CREATE INDEX IF NOT EXISTS import_lines_pending_idx
            ON import_lines (agency_id, import_id, line_no) WHERE outcome IS NULL
    """,
)
