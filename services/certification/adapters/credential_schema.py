"""Tables of portable credentials (a separate DDL list, added in bootstrap).

``credential_keys`` is not a projection: it holds each agency's signing keys (private
keys as PKCS#8 PEM, encrypted with ``CERTIFICATION_CREDENTIAL_KEY_SECRET`` when set),
generated on first use and rotated by an admin; a rebuild leaves it alone.
``credentials`` is the projection of ``credential_issued`` and
``credential_status_changed``: rebuilt from the log like the others.
"""

from __future__ import annotations

CREDENTIAL_DDL = [
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
]

CREDENTIAL_PROJECTION_TABLES = ("credentials",)
