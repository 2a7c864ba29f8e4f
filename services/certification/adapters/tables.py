"""The certification tables: projections rebuilt from the service's own log, keyed by
agency first. `rejected_evidence` is not a projection: it keeps upstream events whose
payload broke the contract, for an operator; `agencies` holds one row per agency.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Computed,
    Date,
    DateTime,
    Index,
    Integer,
    PrimaryKeyConstraint,
    Text,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlmodel import Field, SQLModel

from shared.schema.service_schema import Declared


class Agencies(SQLModel, table=True):
    __table_args__ = (PrimaryKeyConstraint("agency_id", name="agencies_pkey"),)

    agency_id: str = Field(sa_column=Column("agency_id", Text, primary_key=True))
    name: str = Field(sa_column=Column("name", Text, nullable=False))
    first_admin_id: str = Field(sa_column=Column("first_admin_id", Text, nullable=False))
    registered_by: str = Field(sa_column=Column("registered_by", Text, nullable=False))
    registered_at: datetime.datetime = Field(
        sa_column=Column(
            "registered_at", DateTime(True), nullable=False, server_default=text("now()")
        )
    )
    content_hash: str = Field(sa_column=Column("content_hash", Text, nullable=False))
    url: str | None = Field(default=None, sa_column=Column("url", Text))


class Evaluations(SQLModel, table=True):
    __table_args__ = (
        PrimaryKeyConstraint("agency_id", "practitioner_id", name="evaluations_pkey"),
        Index("evaluations_due_idx", "next_change_on"),
        # state_json (~2 KB) stays inline uncompressed: pglz cost as much as the write
        {"postgresql_with": {"toast_tuple_target": 4096}},
    )

    agency_id: str = Field(sa_column=Column("agency_id", Text, primary_key=True))
    practitioner_id: str = Field(sa_column=Column("practitioner_id", Text, primary_key=True))
    policy_id: str = Field(sa_column=Column("policy_id", Text, nullable=False))
    policy_version: int = Field(sa_column=Column("policy_version", Integer, nullable=False))
    as_of: datetime.date = Field(sa_column=Column("as_of", Date, nullable=False))
    next_change_on: datetime.date | None = Field(
        default=None, sa_column=Column("next_change_on", Date)
    )
    state_json: str | None = Field(default=None, sa_column=Column("state_json", Text))
    state_as_of: datetime.date | None = Field(default=None, sa_column=Column("state_as_of", Date))
    # the board's roster item after the roster fields (adapters/roster_items.py)
    roster_item_tail: str | None = Field(default=None, sa_column=Column("roster_item_tail", Text))


class CredentialKeys(SQLModel, table=True):
    __tablename__ = "credential_keys"
    __table_args__ = (
        PrimaryKeyConstraint("agency_id", "kid", name="credential_keys_pkey"),
        Index(
            "credential_keys_one_active",
            "agency_id",
            unique=True,
            postgresql_where=text("(retired_at IS NULL)"),
        ),
    )

    agency_id: str = Field(sa_column=Column("agency_id", Text, primary_key=True))
    kid: str = Field(sa_column=Column("kid", Text, primary_key=True))
    public_jwk: Any = Field(sa_column=Column("public_jwk", JSONB, nullable=False))
    private_key_pem: str = Field(sa_column=Column("private_key_pem", Text, nullable=False))
    encrypted: bool = Field(sa_column=Column("encrypted", Boolean, nullable=False))
    created_at: datetime.datetime = Field(
        sa_column=Column("created_at", DateTime(True), nullable=False, server_default=text("now()"))
    )
    retired_at: datetime.datetime | None = Field(
        default=None, sa_column=Column("retired_at", DateTime(True))
    )


class Credentials(SQLModel, table=True):
    __table_args__ = (
        PrimaryKeyConstraint("agency_id", "credential_id", name="credentials_pkey"),
        UniqueConstraint(
            "agency_id", "status_index", name="credentials_agency_id_status_index_key"
        ),
        Index("credentials_by_practitioner", "agency_id", "practitioner_id", "level"),
    )

    agency_id: str = Field(sa_column=Column("agency_id", Text, primary_key=True))
    credential_id: str = Field(sa_column=Column("credential_id", Text, primary_key=True))
    credential_url: str = Field(sa_column=Column("credential_url", Text, nullable=False))
    practitioner_id: str = Field(sa_column=Column("practitioner_id", Text, nullable=False))
    level: str = Field(sa_column=Column("level", Text, nullable=False))
    level_title: str = Field(sa_column=Column("level_title", Text, nullable=False))
    status: str = Field(sa_column=Column("status", Text, nullable=False))
    status_reason: str | None = Field(default=None, sa_column=Column("status_reason", Text))
    status_changed_on: datetime.date | None = Field(
        default=None, sa_column=Column("status_changed_on", Date)
    )
    status_index: int = Field(sa_column=Column("status_index", Integer, nullable=False))
    valid_from: datetime.date = Field(sa_column=Column("valid_from", Date, nullable=False))
    valid_until: datetime.date | None = Field(default=None, sa_column=Column("valid_until", Date))
    key_id: str = Field(sa_column=Column("key_id", Text, nullable=False))
    transition_event_id: str = Field(sa_column=Column("transition_event_id", Text, nullable=False))
    jwt: str = Field(sa_column=Column("jwt", Text, nullable=False))
    issued_at: datetime.datetime = Field(
        sa_column=Column("issued_at", DateTime(True), nullable=False)
    )


class Evidence(SQLModel, table=True):
    __table_args__ = (
        # a practitioner's rows together, not scattered by the random item id (0007)
        PrimaryKeyConstraint("agency_id", "practitioner_id", "event_id", name="evidence_pkey"),
        # a practitioner's rows in position order (migration 0006)
        Index("evidence_practitioner_position_idx", "agency_id", "practitioner_id", "position"),
    )

    agency_id: str = Field(sa_column=Column("agency_id", Text, primary_key=True))
    practitioner_id: str = Field(sa_column=Column("practitioner_id", Text, primary_key=True))
    event_id: str = Field(sa_column=Column("event_id", Text, primary_key=True))
    kind: str = Field(sa_column=Column("kind", Text, nullable=False))
    occurred_on: datetime.date = Field(sa_column=Column("occurred_on", Date, nullable=False))
    source: str = Field(sa_column=Column("source", Text, nullable=False))
    item: Any = Field(sa_column=Column("item", JSONB, nullable=False))
    position: int = Field(sa_column=Column("position", BigInteger, nullable=False))


class EvidenceRetractions(SQLModel, table=True):
    __tablename__ = "evidence_retractions"
    __table_args__ = (
        PrimaryKeyConstraint("agency_id", "event_id", name="evidence_retractions_pkey"),
    )

    agency_id: str = Field(sa_column=Column("agency_id", Text, primary_key=True))
    event_id: str = Field(sa_column=Column("event_id", Text, primary_key=True))
    practitioner_id: str = Field(sa_column=Column("practitioner_id", Text, nullable=False))
    retracted_by: uuid.UUID = Field(sa_column=Column("retracted_by", Uuid, nullable=False))


class ImportWindowPractitioners(SQLModel, table=True):
    __tablename__ = "import_window_practitioners"
    __table_args__ = (
        PrimaryKeyConstraint(
            "agency_id", "window_id", "practitioner_id", name="import_window_practitioners_pkey"
        ),
    )

    agency_id: str = Field(sa_column=Column("agency_id", Text, primary_key=True))
    window_id: str = Field(sa_column=Column("window_id", Text, primary_key=True))
    practitioner_id: str = Field(sa_column=Column("practitioner_id", Text, primary_key=True))


class ImportWindows(SQLModel, table=True):
    __tablename__ = "import_windows"
    __table_args__ = (
        PrimaryKeyConstraint("agency_id", "window_id", name="import_windows_pkey"),
        Index(
            "import_windows_open_idx",
            "agency_id",
            postgresql_where="(closed_at IS NULL)",
            unique=True,
        ),
    )

    agency_id: str = Field(sa_column=Column("agency_id", Text, primary_key=True))
    window_id: str = Field(sa_column=Column("window_id", Text, primary_key=True))
    content_hash: str = Field(sa_column=Column("content_hash", Text, nullable=False))
    opened_at: datetime.datetime = Field(
        sa_column=Column("opened_at", DateTime(True), nullable=False)
    )
    label: str | None = Field(default=None, sa_column=Column("label", Text))
    opened_by: str | None = Field(default=None, sa_column=Column("opened_by", Text))
    closed_at: datetime.datetime | None = Field(
        default=None, sa_column=Column("closed_at", DateTime(True))
    )
    closed_by: str | None = Field(default=None, sa_column=Column("closed_by", Text))
    practitioners_held: int | None = Field(
        default=None, sa_column=Column("practitioners_held", Integer)
    )
    transitions_published: int | None = Field(
        default=None, sa_column=Column("transitions_published", Integer)
    )


class LevelStatuses(SQLModel, table=True):
    __tablename__ = "level_statuses"
    __table_args__ = (
        PrimaryKeyConstraint(
            "agency_id", "practitioner_id", "level_key", name="level_statuses_pkey"
        ),
        Index("level_statuses_status_idx", "agency_id", "status"),
    )

    agency_id: str = Field(sa_column=Column("agency_id", Text, primary_key=True))
    practitioner_id: str = Field(sa_column=Column("practitioner_id", Text, primary_key=True))
    level_key: str = Field(sa_column=Column("level_key", Text, primary_key=True))
    ordinal: int = Field(sa_column=Column("ordinal", Integer, nullable=False))
    status: str = Field(sa_column=Column("status", Text, nullable=False))
    since: datetime.date | None = Field(default=None, sa_column=Column("since", Date))
    certified_on: datetime.date | None = Field(default=None, sa_column=Column("certified_on", Date))
    at_risk_since: datetime.date | None = Field(
        default=None, sa_column=Column("at_risk_since", Date)
    )


class ObserverCalibrations(SQLModel, table=True):
    __tablename__ = "observer_calibrations"
    __table_args__ = (
        PrimaryKeyConstraint("agency_id", "attempt_id", name="observer_calibrations_pkey"),
        Index("observer_calibrations_observer_idx", "agency_id", "observer_id"),
    )

    agency_id: str = Field(sa_column=Column("agency_id", Text, primary_key=True))
    attempt_id: str = Field(sa_column=Column("attempt_id", Text, primary_key=True))
    observer_id: str = Field(sa_column=Column("observer_id", Text, nullable=False))
    instrument_key: str = Field(sa_column=Column("instrument_key", Text, nullable=False))
    valid_from: datetime.date = Field(sa_column=Column("valid_from", Date, nullable=False))
    valid_until: datetime.date = Field(sa_column=Column("valid_until", Date, nullable=False))
    event_id: uuid.UUID = Field(sa_column=Column("event_id", Uuid, nullable=False))


class PolicyAdoptions(SQLModel, table=True):
    __tablename__ = "policy_adoptions"
    __table_args__ = (PrimaryKeyConstraint("agency_id", "position", name="policy_adoptions_pkey"),)

    agency_id: str = Field(sa_column=Column("agency_id", Text, primary_key=True))
    position: int = Field(sa_column=Column("position", BigInteger, primary_key=True))
    event_id: uuid.UUID = Field(sa_column=Column("event_id", Uuid, nullable=False))
    policy_id: str = Field(sa_column=Column("policy_id", Text, nullable=False))
    policy_version: int = Field(sa_column=Column("policy_version", Integer, nullable=False))
    adopted_on: datetime.date = Field(sa_column=Column("adopted_on", Date, nullable=False))
    recorded_at: datetime.datetime = Field(
        sa_column=Column("recorded_at", DateTime(True), nullable=False)
    )
    adopted_by: str | None = Field(default=None, sa_column=Column("adopted_by", Text))


class PolicyVersions(SQLModel, table=True):
    __tablename__ = "policy_versions"
    __table_args__ = (
        PrimaryKeyConstraint(
            "agency_id", "policy_id", "policy_version", name="policy_versions_pkey"
        ),
    )

    agency_id: str = Field(sa_column=Column("agency_id", Text, primary_key=True))
    policy_id: str = Field(sa_column=Column("policy_id", Text, primary_key=True))
    policy_version: int = Field(sa_column=Column("policy_version", Integer, primary_key=True))
    title: str = Field(sa_column=Column("title", Text, nullable=False))
    policy: Any = Field(sa_column=Column("policy", JSONB, nullable=False))
    created_at: datetime.datetime = Field(
        sa_column=Column("created_at", DateTime(True), nullable=False)
    )
    created_by: str | None = Field(default=None, sa_column=Column("created_by", Text))


class Practitioners(SQLModel, table=True):
    __table_args__ = (
        PrimaryKeyConstraint("agency_id", "practitioner_id", name="practitioners_pkey"),
        # the board's supervisor and team filters (migration 0005)
        Index("practitioners_supervisor_idx", "agency_id", "supervisor_id", "practitioner_id"),
        Index("practitioners_team_idx", "agency_id", "team_id", "practitioner_id"),
    )

    agency_id: str = Field(sa_column=Column("agency_id", Text, primary_key=True))
    practitioner_id: str = Field(sa_column=Column("practitioner_id", Text, primary_key=True))
    role: str = Field(sa_column=Column("role", Text, nullable=False))
    program_start: datetime.date = Field(sa_column=Column("program_start", Date, nullable=False))
    registered_event_id: uuid.UUID = Field(
        sa_column=Column("registered_event_id", Uuid, nullable=False)
    )
    registered_at: datetime.datetime = Field(
        sa_column=Column("registered_at", DateTime(True), nullable=False)
    )
    coach_id: str | None = Field(default=None, sa_column=Column("coach_id", Text))
    supervisor_id: str | None = Field(default=None, sa_column=Column("supervisor_id", Text))
    team_id: str | None = Field(default=None, sa_column=Column("team_id", Text))
    left_on: datetime.date | None = Field(default=None, sa_column=Column("left_on", Date))
    # the board's roster item up to the levels, computed by PostgreSQL (migration 0004)
    roster_item_head: str | None = Field(
        default=None,
        sa_column=Column(
            "roster_item_head",
            Text,
            Computed(
                "roster_item_head(practitioner_id, role, program_start, coach_id,"
                " supervisor_id, team_id, left_on)",
                persisted=True,
            ),
        ),
    )


class RejectedEvidence(SQLModel, table=True):
    __tablename__ = "rejected_evidence"
    __table_args__ = (PrimaryKeyConstraint("event_id", name="rejected_evidence_pkey"),)

    event_id: str = Field(sa_column=Column("event_id", Text, primary_key=True))
    agency_id: str = Field(sa_column=Column("agency_id", Text, nullable=False))
    source_type: str = Field(sa_column=Column("source_type", Text, nullable=False))
    error: str = Field(sa_column=Column("error", Text, nullable=False))
    payload: Any = Field(sa_column=Column("payload", JSONB, nullable=False))
    rejected_at: datetime.datetime = Field(
        sa_column=Column(
            "rejected_at", DateTime(True), nullable=False, server_default=text("now()")
        )
    )


class RosterChanges(SQLModel, table=True):
    __tablename__ = "roster_changes"
    __table_args__ = (
        PrimaryKeyConstraint("agency_id", "position", name="roster_changes_pkey"),
        Index(
            "roster_changes_client_idx",
            "agency_id",
            "client_id",
            postgresql_where="(client_id IS NOT NULL)",
            unique=True,
        ),
        Index(
            "roster_changes_practitioner_idx",
            "agency_id",
            "practitioner_id",
            "effective_on",
            "position",
        ),
    )

    agency_id: str = Field(sa_column=Column("agency_id", Text, primary_key=True))
    practitioner_id: str = Field(sa_column=Column("practitioner_id", Text, nullable=False))
    position: int = Field(sa_column=Column("position", BigInteger, primary_key=True))
    event_id: uuid.UUID = Field(sa_column=Column("event_id", Uuid, nullable=False))
    kind: str = Field(sa_column=Column("kind", Text, nullable=False))
    effective_on: datetime.date = Field(sa_column=Column("effective_on", Date, nullable=False))
    role: str = Field(sa_column=Column("role", Text, nullable=False))
    program_start: datetime.date = Field(sa_column=Column("program_start", Date, nullable=False))
    changed: list[str] = Field(sa_column=Column("changed", ARRAY(Text()), nullable=False))
    recorded_at: datetime.datetime = Field(
        sa_column=Column("recorded_at", DateTime(True), nullable=False)
    )
    coach_id: str | None = Field(default=None, sa_column=Column("coach_id", Text))
    supervisor_id: str | None = Field(default=None, sa_column=Column("supervisor_id", Text))
    team_id: str | None = Field(default=None, sa_column=Column("team_id", Text))
    reason: str | None = Field(default=None, sa_column=Column("reason", Text))
    client_id: uuid.UUID | None = Field(default=None, sa_column=Column("client_id", Uuid))
    content_hash: str | None = Field(default=None, sa_column=Column("content_hash", Text))


class Transitions(SQLModel, table=True):
    __table_args__ = (
        PrimaryKeyConstraint("agency_id", "position", name="transitions_pkey"),
        Index("transitions_event_idx", "agency_id", "event_id", unique=True),
        Index("transitions_practitioner_idx", "agency_id", "practitioner_id", "position"),
    )

    agency_id: str = Field(sa_column=Column("agency_id", Text, primary_key=True))
    position: int = Field(sa_column=Column("position", BigInteger, primary_key=True))
    event_id: uuid.UUID = Field(sa_column=Column("event_id", Uuid, nullable=False))
    practitioner_id: str = Field(sa_column=Column("practitioner_id", Text, nullable=False))
    level_key: str = Field(sa_column=Column("level_key", Text, nullable=False))
    kind: str = Field(sa_column=Column("kind", Text, nullable=False))
    effective_on: datetime.date = Field(sa_column=Column("effective_on", Date, nullable=False))
    from_status: str = Field(sa_column=Column("from_status", Text, nullable=False))
    to_status: str = Field(sa_column=Column("to_status", Text, nullable=False))
    policy_id: str = Field(sa_column=Column("policy_id", Text, nullable=False))
    policy_version: int = Field(sa_column=Column("policy_version", Integer, nullable=False))
    explanation: Any = Field(sa_column=Column("explanation", JSONB, nullable=False))
    correction: bool = Field(sa_column=Column("correction", Boolean, nullable=False))
    corrects: list[uuid.UUID] = Field(sa_column=Column("corrects", ARRAY(Uuid()), nullable=False))
    recorded_at: datetime.datetime = Field(
        sa_column=Column("recorded_at", DateTime(True), nullable=False)
    )
    published: bool = Field(
        sa_column=Column("published", Boolean, nullable=False, server_default=text("true"))
    )
    reason: str | None = Field(default=None, sa_column=Column("reason", Text))
    retracted_by: uuid.UUID | None = Field(default=None, sa_column=Column("retracted_by", Uuid))
    true_effective_on: datetime.date | None = Field(
        default=None, sa_column=Column("true_effective_on", Date)
    )


MODELS: tuple[Declared, ...] = (
    CredentialKeys,
    Credentials,
    Agencies,
    Evaluations,
    Evidence,
    EvidenceRetractions,
    ImportWindowPractitioners,
    ImportWindows,
    LevelStatuses,
    ObserverCalibrations,
    PolicyAdoptions,
    PolicyVersions,
    Practitioners,
    RejectedEvidence,
    RosterChanges,
    Transitions,
)
