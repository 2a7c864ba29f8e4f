"""The kernel's tables, in every service schema: the event store (`events`), the outbox
relay's checkpoint and leader lease, the consumers' inbox and dead letters, and the
HTTP idempotency keys. Declared once here; each service's schema lists them.
"""

from __future__ import annotations

import datetime
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    Text,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from shared.schema.service_schema import Declared, ServiceSchema
from shared.schema.types import XID8


class ConsumerInbox(SQLModel, table=True):
    __tablename__ = "consumer_inbox"
    __table_args__ = (PrimaryKeyConstraint("consumer", "event_id", name="consumer_inbox_pkey"),)

    consumer: str = Field(sa_column=Column("consumer", Text, primary_key=True))
    event_id: str = Field(sa_column=Column("event_id", Text, primary_key=True))
    stream_seq: int = Field(sa_column=Column("stream_seq", BigInteger, nullable=False))
    processed_at: datetime.datetime = Field(
        sa_column=Column(
            "processed_at", DateTime(True), nullable=False, server_default=text("now()")
        )
    )


class DeadLetters(SQLModel, table=True):
    __tablename__ = "dead_letters"
    __table_args__ = (
        PrimaryKeyConstraint("id", name="dead_letters_pkey"),
        CheckConstraint(
            "status = ANY (ARRAY['dead'::text, 'retried'::text, 'discarded'::text])",
            name="dead_letters_status_check",
        ),
        Index("dead_letters_status_idx", "status", "id"),
    )

    id: int = Field(sa_column=Column("id", BigInteger, primary_key=True, autoincrement=True))
    consumer: str = Field(sa_column=Column("consumer", Text, nullable=False))
    subject: str = Field(sa_column=Column("subject", Text, nullable=False))
    stream_seq: int = Field(sa_column=Column("stream_seq", BigInteger, nullable=False))
    deliveries: int = Field(sa_column=Column("deliveries", Integer, nullable=False))
    error: str = Field(sa_column=Column("error", Text, nullable=False))
    payload: bytes = Field(sa_column=Column("payload", LargeBinary, nullable=False))
    failed_at: datetime.datetime = Field(
        sa_column=Column("failed_at", DateTime(True), nullable=False, server_default=text("now()"))
    )
    event_id: str | None = Field(default=None, sa_column=Column("event_id", Text))
    status: str = Field(
        sa_column=Column("status", Text, nullable=False, server_default=text("'dead'::text"))
    )
    retries: int = Field(
        sa_column=Column("retries", Integer, nullable=False, server_default=text("0"))
    )
    resolved_at: datetime.datetime | None = Field(
        default=None, sa_column=Column("resolved_at", DateTime(True))
    )
    resolved_by: str | None = Field(default=None, sa_column=Column("resolved_by", Text))


class Events(SQLModel, table=True):
    __table_args__ = (
        PrimaryKeyConstraint("position", name="events_pkey"),
        UniqueConstraint("event_id", name="events_event_id_key"),
        UniqueConstraint("stream_id", "stream_version", name="events_stream_version_key"),
        Index("events_agency_subject_idx", "agency_id", "subject"),
        Index("events_tx_position_idx", "tx_id", "position"),
    )

    position: int = Field(
        sa_column=Column("position", BigInteger, primary_key=True, autoincrement=True)
    )
    tx_id: int = Field(
        sa_column=Column("tx_id", XID8, nullable=False, server_default=text("pg_current_xact_id()"))
    )
    event_id: uuid.UUID = Field(sa_column=Column("event_id", Uuid, nullable=False))
    stream_id: str = Field(sa_column=Column("stream_id", Text, nullable=False))
    stream_version: int = Field(sa_column=Column("stream_version", Integer, nullable=False))
    agency_id: str = Field(sa_column=Column("agency_id", Text, nullable=False))
    name: str = Field(sa_column=Column("name", Text, nullable=False))
    schema_version: int = Field(sa_column=Column("schema_version", Integer, nullable=False))
    occurred_at: datetime.datetime = Field(
        sa_column=Column("occurred_at", DateTime(True), nullable=False)
    )
    recorded_at: datetime.datetime = Field(
        sa_column=Column(
            "recorded_at", DateTime(True), nullable=False, server_default=text("now()")
        )
    )
    data: Any = Field(sa_column=Column("data", JSONB, nullable=False))
    metadata_: Any = Field(
        sa_column=Column("metadata", JSONB, nullable=False, server_default=text("'{}'::jsonb"))
    )
    subject: str | None = Field(default=None, sa_column=Column("subject", Text))


class IdempotencyKeys(SQLModel, table=True):
    __tablename__ = "idempotency_keys"
    __table_args__ = (
        PrimaryKeyConstraint(
            "agency_id", "principal", "route", "key", name="idempotency_keys_pkey"
        ),
        Index("idempotency_keys_expiry_idx", "expires_at"),
    )

    agency_id: str = Field(sa_column=Column("agency_id", Text, primary_key=True))
    principal: str = Field(sa_column=Column("principal", Text, primary_key=True))
    route: str = Field(sa_column=Column("route", Text, primary_key=True))
    key: str = Field(sa_column=Column("key", Text, primary_key=True))
    fingerprint: str = Field(sa_column=Column("fingerprint", Text, nullable=False))
    created_at: datetime.datetime = Field(
        sa_column=Column("created_at", DateTime(True), nullable=False, server_default=text("now()"))
    )
    expires_at: datetime.datetime = Field(
        sa_column=Column("expires_at", DateTime(True), nullable=False)
    )
    lease_until: datetime.datetime | None = Field(
        default=None, sa_column=Column("lease_until", DateTime(True))
    )
    applied_at: datetime.datetime | None = Field(
        default=None, sa_column=Column("applied_at", DateTime(True))
    )
    response_status: int | None = Field(default=None, sa_column=Column("response_status", Integer))
    response_headers: Any | None = Field(default=None, sa_column=Column("response_headers", JSONB))
    response_body: bytes | None = Field(
        default=None, sa_column=Column("response_body", LargeBinary)
    )


class RelayCheckpoints(SQLModel, table=True):
    __tablename__ = "relay_checkpoints"
    __table_args__ = (PrimaryKeyConstraint("relay", name="relay_checkpoints_pkey"),)

    relay: str = Field(sa_column=Column("relay", Text, primary_key=True))
    tx_id: int = Field(sa_column=Column("tx_id", XID8, nullable=False))
    position: int = Field(sa_column=Column("position", BigInteger, nullable=False))
    updated_at: datetime.datetime = Field(
        sa_column=Column("updated_at", DateTime(True), nullable=False, server_default=text("now()"))
    )


class RelayLeases(SQLModel, table=True):
    __tablename__ = "relay_leases"
    __table_args__ = (PrimaryKeyConstraint("relay", name="relay_leases_pkey"),)

    relay: str = Field(sa_column=Column("relay", Text, primary_key=True))
    holder: str = Field(sa_column=Column("holder", Text, nullable=False))
    holder_pid: int = Field(sa_column=Column("holder_pid", Integer, nullable=False))
    epoch: int = Field(sa_column=Column("epoch", BigInteger, nullable=False))
    renewed_at: datetime.datetime = Field(
        sa_column=Column("renewed_at", DateTime(True), nullable=False)
    )
    expires_at: datetime.datetime = Field(
        sa_column=Column("expires_at", DateTime(True), nullable=False)
    )


class PartitionMembers(SQLModel, table=True):
    """Replicas alive per consumer group (shared/partition_claims.py)."""

    __tablename__ = "partition_members"
    __table_args__ = (PrimaryKeyConstraint("consumer", "holder", name="partition_members_pkey"),)

    consumer: str = Field(sa_column=Column("consumer", Text, primary_key=True))
    holder: str = Field(sa_column=Column("holder", Text, primary_key=True))
    expires_at: datetime.datetime = Field(
        sa_column=Column("expires_at", DateTime(True), nullable=False)
    )


class PartitionClaims(SQLModel, table=True):
    """Which replica folds which partition of a consumer group."""

    __tablename__ = "partition_claims"
    __table_args__ = (PrimaryKeyConstraint("consumer", "partition", name="partition_claims_pkey"),)

    consumer: str = Field(sa_column=Column("consumer", Text, primary_key=True))
    partition: int = Field(sa_column=Column("partition", Integer, primary_key=True))
    holder: str = Field(sa_column=Column("holder", Text, nullable=False))
    claimed_at: datetime.datetime = Field(
        sa_column=Column("claimed_at", DateTime(True), nullable=False)
    )
    expires_at: datetime.datetime = Field(
        sa_column=Column("expires_at", DateTime(True), nullable=False)
    )


MODELS: tuple[Declared, ...] = (
    PartitionMembers,
    PartitionClaims,
    ConsumerInbox,
    DeadLetters,
    Events,
    IdempotencyKeys,
    RelayCheckpoints,
    RelayLeases,
)

# A process with no tables of its own (the kernel's probes) migrates this schema.
KERNEL_SCHEMA = ServiceSchema(
    service="kernel",
    declared=MODELS,
    versions=Path(__file__).with_name("kernel_migrations"),
)
