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

import datetime
import uuid
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    Table,
    Text,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from shared.schema.service_schema import Declared


class XapiAccountHomePages(SQLModel, table=True):
    __tablename__ = "xapi_account_home_pages"
    __table_args__ = (
        PrimaryKeyConstraint("agency_id", "home_page", name="xapi_account_home_pages_pkey"),
    )

    agency_id: str = Field(sa_column=Column("agency_id", Text, primary_key=True))
    home_page: str = Field(sa_column=Column("home_page", Text, primary_key=True))


class XapiActivities(SQLModel, table=True):
    __tablename__ = "xapi_activities"
    __table_args__ = (
        PrimaryKeyConstraint("agency_id", "activity_id", name="xapi_activities_pkey"),
    )

    agency_id: str = Field(sa_column=Column("agency_id", Text, primary_key=True))
    activity_id: str = Field(sa_column=Column("activity_id", Text, primary_key=True))
    definition: Any = Field(sa_column=Column("definition", JSONB, nullable=False))
    updated_at: datetime.datetime = Field(
        sa_column=Column("updated_at", DateTime(True), nullable=False, server_default=text("now()"))
    )


class XapiActivityMappings(SQLModel, table=True):
    __tablename__ = "xapi_activity_mappings"
    __table_args__ = (
        PrimaryKeyConstraint("agency_id", "activity_id", name="xapi_activity_mappings_pkey"),
    )

    agency_id: str = Field(sa_column=Column("agency_id", Text, primary_key=True))
    activity_id: str = Field(sa_column=Column("activity_id", Text, primary_key=True))
    kind: str = Field(sa_column=Column("kind", Text, nullable=False))
    target_id: str = Field(sa_column=Column("target_id", Text, nullable=False))
    updated_at: datetime.datetime = Field(
        sa_column=Column("updated_at", DateTime(True), nullable=False, server_default=text("now()"))
    )
    move_on: str | None = Field(default=None, sa_column=Column("move_on", Text))


class XapiActorMappings(SQLModel, table=True):
    __tablename__ = "xapi_actor_mappings"
    __table_args__ = (
        PrimaryKeyConstraint("agency_id", "identity_key", name="xapi_actor_mappings_pkey"),
        Index("xapi_actor_mappings_practitioner_idx", "agency_id", "practitioner_id"),
    )

    agency_id: str = Field(sa_column=Column("agency_id", Text, primary_key=True))
    identity_key: str = Field(sa_column=Column("identity_key", Text, primary_key=True))
    agent: Any = Field(sa_column=Column("agent", JSONB, nullable=False))
    practitioner_id: str = Field(sa_column=Column("practitioner_id", Text, nullable=False))


class XapiAttachments(SQLModel, table=True):
    __tablename__ = "xapi_attachments"
    __table_args__ = (PrimaryKeyConstraint("agency_id", "sha2", name="xapi_attachments_pkey"),)

    agency_id: str = Field(sa_column=Column("agency_id", Text, primary_key=True))
    sha2: str = Field(sa_column=Column("sha2", Text, primary_key=True))
    content_type: str = Field(sa_column=Column("content_type", Text, nullable=False))
    content: bytes = Field(sa_column=Column("content", LargeBinary, nullable=False))


class XapiAuSatisfactions(SQLModel, table=True):
    __tablename__ = "xapi_au_satisfactions"
    __table_args__ = (
        PrimaryKeyConstraint(
            "agency_id", "registration", "activity_id", name="xapi_au_satisfactions_pkey"
        ),
    )

    agency_id: str = Field(sa_column=Column("agency_id", Text, primary_key=True))
    registration: uuid.UUID = Field(sa_column=Column("registration", Uuid, primary_key=True))
    activity_id: str = Field(sa_column=Column("activity_id", Text, primary_key=True))
    statement_id: uuid.UUID = Field(sa_column=Column("statement_id", Uuid, nullable=False))


class XapiCredentials(SQLModel, table=True):
    __tablename__ = "xapi_credentials"
    __table_args__ = (
        PrimaryKeyConstraint("key", name="xapi_credentials_pkey"),
        Index("xapi_credentials_agency_idx", "agency_id", "key"),
    )

    key: str = Field(sa_column=Column("key", Text, primary_key=True))
    agency_id: str = Field(sa_column=Column("agency_id", Text, nullable=False))
    partner_name: str = Field(sa_column=Column("partner_name", Text, nullable=False))
    secret_digest: bytes = Field(sa_column=Column("secret_digest", LargeBinary, nullable=False))
    secret_salt: bytes = Field(sa_column=Column("secret_salt", LargeBinary, nullable=False))
    scrypt_n: int = Field(sa_column=Column("scrypt_n", Integer, nullable=False))
    scrypt_r: int = Field(sa_column=Column("scrypt_r", Integer, nullable=False))
    scrypt_p: int = Field(sa_column=Column("scrypt_p", Integer, nullable=False))
    authority: Any = Field(sa_column=Column("authority", JSONB, nullable=False))
    created_at: datetime.datetime = Field(
        sa_column=Column("created_at", DateTime(True), nullable=False, server_default=text("now()"))
    )
    rotated_at: datetime.datetime | None = Field(
        default=None, sa_column=Column("rotated_at", DateTime(True))
    )
    revoked_at: datetime.datetime | None = Field(
        default=None, sa_column=Column("revoked_at", DateTime(True))
    )


class XapiDocuments(SQLModel, table=True):
    __tablename__ = "xapi_documents"
    __table_args__ = (
        PrimaryKeyConstraint(
            "agency_id",
            "resource",
            "activity_id",
            "agent_key",
            "registration",
            "document_id",
            name="xapi_documents_pkey",
        ),
    )

    agency_id: str = Field(sa_column=Column("agency_id", Text, primary_key=True))
    resource: str = Field(sa_column=Column("resource", Text, primary_key=True))
    activity_id: str = Field(sa_column=Column("activity_id", Text, primary_key=True))
    agent_key: str = Field(sa_column=Column("agent_key", Text, primary_key=True))
    registration: str = Field(sa_column=Column("registration", Text, primary_key=True))
    document_id: str = Field(sa_column=Column("document_id", Text, primary_key=True))
    content_type: str = Field(sa_column=Column("content_type", Text, nullable=False))
    content: bytes = Field(sa_column=Column("content", LargeBinary, nullable=False))
    etag: str = Field(sa_column=Column("etag", Text, nullable=False))
    updated: datetime.datetime = Field(sa_column=Column("updated", DateTime(True), nullable=False))


t_xapi_statement_activities = Table(
    "xapi_statement_activities",
    SQLModel.metadata,
    Column("agency_id", Text, nullable=False),
    Column("statement_id", Uuid, nullable=False),
    Column("role", Text, nullable=False),
    Column("activity_id", Text, nullable=False),
    Index("xapi_statement_activities_idx", "agency_id", "activity_id", "role"),
)


t_xapi_statement_agents = Table(
    "xapi_statement_agents",
    SQLModel.metadata,
    Column("agency_id", Text, nullable=False),
    Column("statement_id", Uuid, nullable=False),
    Column("role", Text, nullable=False),
    Column("identity_key", Text, nullable=False),
    Column("via_member", Boolean, nullable=False),
    Index("xapi_statement_agents_idx", "agency_id", "identity_key", "role"),
)


class XapiStatementOutcomes(SQLModel, table=True):
    __tablename__ = "xapi_statement_outcomes"
    __table_args__ = (
        PrimaryKeyConstraint("agency_id", "statement_id", name="xapi_statement_outcomes_pkey"),
        Index(
            "xapi_statement_outcomes_learner_idx",
            "agency_id",
            "practitioner_id",
            "activity_id",
            "practised_at",
        ),
        Index(
            "xapi_statement_outcomes_pending_idx",
            "agency_id",
            "reason_code",
            postgresql_where="(outcome = 'pending'::text)",
        ),
        Index(
            "xapi_statement_outcomes_record_idx",
            "agency_id",
            "record_id",
            postgresql_where="(record_id IS NOT NULL)",
        ),
    )

    agency_id: str = Field(sa_column=Column("agency_id", Text, primary_key=True))
    statement_id: uuid.UUID = Field(sa_column=Column("statement_id", Uuid, primary_key=True))
    outcome: str = Field(sa_column=Column("outcome", Text, nullable=False))
    detail: str = Field(sa_column=Column("detail", Text, nullable=False))
    updated_at: datetime.datetime = Field(
        sa_column=Column("updated_at", DateTime(True), nullable=False, server_default=text("now()"))
    )
    practitioner_id: str | None = Field(default=None, sa_column=Column("practitioner_id", Text))
    record_id: uuid.UUID | None = Field(default=None, sa_column=Column("record_id", Uuid))
    activity_id: str | None = Field(default=None, sa_column=Column("activity_id", Text))
    identity_key: str | None = Field(default=None, sa_column=Column("identity_key", Text))
    reason_code: str | None = Field(default=None, sa_column=Column("reason_code", Text))
    practised_at: datetime.datetime | None = Field(
        default=None, sa_column=Column("practised_at", DateTime(True))
    )


class XapiStatements(SQLModel, table=True):
    __tablename__ = "xapi_statements"
    __table_args__ = (
        PrimaryKeyConstraint("agency_id", "statement_id", name="xapi_statements_pkey"),
        Index(
            "xapi_statements_credential_idx",
            "agency_id",
            "credential_key",
            "stored",
            "statement_id",
        ),
        Index("xapi_statements_order_idx", "agency_id", "stored", "statement_id"),
        Index(
            "xapi_statements_ref_idx",
            "agency_id",
            "ref_target",
            postgresql_where="(ref_target IS NOT NULL)",
        ),
        Index(
            "xapi_statements_registration_idx",
            "agency_id",
            "registration",
            postgresql_where="(registration IS NOT NULL)",
        ),
        Index("xapi_statements_verb_idx", "agency_id", "verb_id"),
        Index(
            "xapi_statements_voids_idx",
            "agency_id",
            "voids",
            postgresql_where="(voids IS NOT NULL)",
        ),
    )

    agency_id: str = Field(sa_column=Column("agency_id", Text, primary_key=True))
    statement_id: uuid.UUID = Field(sa_column=Column("statement_id", Uuid, primary_key=True))
    stored: datetime.datetime = Field(sa_column=Column("stored", DateTime(True), nullable=False))
    verb_id: str = Field(sa_column=Column("verb_id", Text, nullable=False))
    voided: bool = Field(
        sa_column=Column("voided", Boolean, nullable=False, server_default=text("false"))
    )
    credential_key: str = Field(sa_column=Column("credential_key", Text, nullable=False))
    document: Any = Field(sa_column=Column("document", JSONB, nullable=False))
    registration: uuid.UUID | None = Field(default=None, sa_column=Column("registration", Uuid))
    ref_target: uuid.UUID | None = Field(default=None, sa_column=Column("ref_target", Uuid))
    voids: uuid.UUID | None = Field(default=None, sa_column=Column("voids", Uuid))


MODELS: tuple[Declared, ...] = (
    XapiAccountHomePages,
    XapiActivities,
    XapiActivityMappings,
    XapiActorMappings,
    XapiAttachments,
    XapiAuSatisfactions,
    XapiCredentials,
    XapiDocuments,
    t_xapi_statement_activities,
    t_xapi_statement_agents,
    XapiStatementOutcomes,
    XapiStatements,
)
