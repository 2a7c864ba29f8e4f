"""The fidelity projections, keyed by agency first. Instruments use the agency `*` for
the global seed versions every agency sees.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Double,
    Index,
    Integer,
    PrimaryKeyConstraint,
    Text,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import JSON, JSONB
from sqlmodel import Field, SQLModel

from shared.schema.service_schema import Declared


class CalibrationAttempts(SQLModel, table=True):
    __tablename__ = "calibration_attempts"
    __table_args__ = (
        PrimaryKeyConstraint("agency_id", "id", name="calibration_attempts_pkey"),
        Index("calibration_attempts_observer_idx", "agency_id", "observer_id", "attempted_on"),
    )

    agency_id: str = Field(sa_column=Column("agency_id", Text, primary_key=True))
    id: uuid.UUID = Field(sa_column=Column("id", Uuid, primary_key=True))
    seq: int = Field(sa_column=Column("seq", BigInteger, nullable=False))
    observer_id: str = Field(sa_column=Column("observer_id", Text, nullable=False))
    reference_id: uuid.UUID = Field(sa_column=Column("reference_id", Uuid, nullable=False))
    attempted_on: datetime.date = Field(sa_column=Column("attempted_on", Date, nullable=False))
    kappa: float = Field(sa_column=Column("kappa", Double(53), nullable=False))
    percent_agreement: float = Field(
        sa_column=Column("percent_agreement", Double(53), nullable=False)
    )
    bar: float = Field(sa_column=Column("bar", Double(53), nullable=False))
    passed: bool = Field(sa_column=Column("passed", Boolean, nullable=False))
    ratings: Any = Field(sa_column=Column("ratings", JSONB, nullable=False))
    content_hash: str = Field(sa_column=Column("content_hash", Text, nullable=False))
    recorded_at: datetime.datetime = Field(
        sa_column=Column(
            "recorded_at", DateTime(True), nullable=False, server_default=text("now()")
        )
    )
    recorded_by: str = Field(sa_column=Column("recorded_by", Text, nullable=False))


class CalibrationReferences(SQLModel, table=True):
    __tablename__ = "calibration_references"
    __table_args__ = (PrimaryKeyConstraint("agency_id", "id", name="calibration_references_pkey"),)

    agency_id: str = Field(sa_column=Column("agency_id", Text, primary_key=True))
    id: uuid.UUID = Field(sa_column=Column("id", Uuid, primary_key=True))
    seq: int = Field(sa_column=Column("seq", BigInteger, nullable=False))
    title: str = Field(sa_column=Column("title", Text, nullable=False))
    instrument_key: str = Field(sa_column=Column("instrument_key", Text, nullable=False))
    instrument_version: int = Field(sa_column=Column("instrument_version", Integer, nullable=False))
    meeting_date: datetime.date = Field(sa_column=Column("meeting_date", Date, nullable=False))
    gold_ratings: Any = Field(sa_column=Column("gold_ratings", JSONB, nullable=False))
    content_hash: str = Field(sa_column=Column("content_hash", Text, nullable=False))
    created_at: datetime.datetime = Field(
        sa_column=Column("created_at", DateTime(True), nullable=False, server_default=text("now()"))
    )
    created_by: str = Field(sa_column=Column("created_by", Text, nullable=False))


class CoObservationComparisons(SQLModel, table=True):
    __tablename__ = "co_observation_comparisons"
    __table_args__ = (
        PrimaryKeyConstraint("agency_id", "observation_id", name="co_observation_comparisons_pkey"),
    )

    agency_id: str = Field(sa_column=Column("agency_id", Text, primary_key=True))
    observation_id: uuid.UUID = Field(sa_column=Column("observation_id", Uuid, primary_key=True))
    co_observation_of: uuid.UUID = Field(
        sa_column=Column("co_observation_of", Uuid, nullable=False)
    )
    practitioner_id: str = Field(sa_column=Column("practitioner_id", Text, nullable=False))
    first_observer_id: str = Field(sa_column=Column("first_observer_id", Text, nullable=False))
    second_observer_id: str = Field(sa_column=Column("second_observer_id", Text, nullable=False))
    instrument_key: str = Field(sa_column=Column("instrument_key", Text, nullable=False))
    instrument_version: int = Field(sa_column=Column("instrument_version", Integer, nullable=False))
    meeting_date: datetime.date = Field(sa_column=Column("meeting_date", Date, nullable=False))
    indicator_count: int = Field(sa_column=Column("indicator_count", Integer, nullable=False))
    percent_agreement: float = Field(
        sa_column=Column("percent_agreement", Double(53), nullable=False)
    )
    expected_agreement: float = Field(
        sa_column=Column("expected_agreement", Double(53), nullable=False)
    )
    kappa: float = Field(sa_column=Column("kappa", Double(53), nullable=False))


class DriftSignals(SQLModel, table=True):
    __tablename__ = "drift_signals"
    __table_args__ = (
        PrimaryKeyConstraint("agency_id", "id", name="drift_signals_pkey"),
        Index(
            "drift_signals_practitioner_idx",
            "agency_id",
            "practitioner_id",
            "instrument_key",
            "detected_on",
        ),
    )

    agency_id: str = Field(sa_column=Column("agency_id", Text, primary_key=True))
    id: uuid.UUID = Field(sa_column=Column("id", Uuid, primary_key=True))
    seq: int = Field(sa_column=Column("seq", BigInteger, nullable=False))
    practitioner_id: str = Field(sa_column=Column("practitioner_id", Text, nullable=False))
    instrument_key: str = Field(sa_column=Column("instrument_key", Text, nullable=False))
    kind: str = Field(sa_column=Column("kind", Text, nullable=False))
    observation_id: uuid.UUID = Field(sa_column=Column("observation_id", Uuid, nullable=False))
    detected_on: datetime.date = Field(sa_column=Column("detected_on", Date, nullable=False))
    observation_ids: Any = Field(sa_column=Column("observation_ids", JSONB, nullable=False))
    drop: float = Field(sa_column=Column("drop", Double(53), nullable=False))
    reason: str = Field(sa_column=Column("reason", Text, nullable=False))
    recorded_at: datetime.datetime = Field(
        sa_column=Column(
            "recorded_at", DateTime(True), nullable=False, server_default=text("now()")
        )
    )
    domain_id: str | None = Field(default=None, sa_column=Column("domain_id", Text))
    from_band: str | None = Field(default=None, sa_column=Column("from_band", Text))
    to_band: str | None = Field(default=None, sa_column=Column("to_band", Text))


class Instruments(SQLModel, table=True):
    __table_args__ = (PrimaryKeyConstraint("agency_id", "key", "version", name="instruments_pkey"),)

    agency_id: str = Field(sa_column=Column("agency_id", Text, primary_key=True))
    key: str = Field(sa_column=Column("key", Text, primary_key=True))
    version: int = Field(sa_column=Column("version", Integer, primary_key=True))
    title: str = Field(sa_column=Column("title", Text, nullable=False))
    kind: str = Field(sa_column=Column("kind", Text, nullable=False))
    definition: Any = Field(sa_column=Column("definition", JSONB, nullable=False))
    indicator_count: int = Field(sa_column=Column("indicator_count", Integer, nullable=False))
    published_at: datetime.datetime = Field(
        sa_column=Column(
            "published_at", DateTime(True), nullable=False, server_default=text("now()")
        )
    )
    published_by: str | None = Field(default=None, sa_column=Column("published_by", Text))


class Observations(SQLModel, table=True):
    __table_args__ = (
        PrimaryKeyConstraint("agency_id", "id", name="observations_pkey"),
        Index(
            "observations_co_observation_idx",
            "agency_id",
            "co_observation_of",
            postgresql_where="(co_observation_of IS NOT NULL)",
        ),
        Index("observations_listing_idx", "agency_id", text("meeting_date DESC"), text("seq DESC")),
        Index("observations_observer_idx", "agency_id", "observer_id", "meeting_date"),
        Index(
            "observations_practitioner_idx",
            "agency_id",
            "practitioner_id",
            "instrument_key",
            "meeting_date",
            "seq",
        ),
    )

    agency_id: str = Field(sa_column=Column("agency_id", Text, primary_key=True))
    id: uuid.UUID = Field(sa_column=Column("id", Uuid, primary_key=True))
    seq: int = Field(sa_column=Column("seq", BigInteger, nullable=False))
    practitioner_id: str = Field(sa_column=Column("practitioner_id", Text, nullable=False))
    observer_id: str = Field(sa_column=Column("observer_id", Text, nullable=False))
    instrument_key: str = Field(sa_column=Column("instrument_key", Text, nullable=False))
    instrument_version: int = Field(sa_column=Column("instrument_version", Integer, nullable=False))
    instrument_kind: str = Field(sa_column=Column("instrument_kind", Text, nullable=False))
    meeting_date: datetime.date = Field(sa_column=Column("meeting_date", Date, nullable=False))
    setting: str = Field(sa_column=Column("setting", Text, nullable=False))
    total: float = Field(sa_column=Column("total", Double(53), nullable=False))
    band: str = Field(sa_column=Column("band", Text, nullable=False))
    domain_scores: Any = Field(sa_column=Column("domain_scores", JSONB, nullable=False))
    # kept as their JSON text, never looked into by a statement (migration 0004)
    item_scores: Any = Field(sa_column=Column("item_scores", JSON, nullable=False))
    ratings: Any = Field(sa_column=Column("ratings", JSON, nullable=False))
    observer_calibrated: bool = Field(
        sa_column=Column("observer_calibrated", Boolean, nullable=False)
    )
    calibration_reason: str = Field(sa_column=Column("calibration_reason", Text, nullable=False))
    content_hash: str = Field(sa_column=Column("content_hash", Text, nullable=False))
    recorded_at: datetime.datetime = Field(
        sa_column=Column(
            "recorded_at", DateTime(True), nullable=False, server_default=text("now()")
        )
    )
    recorded_by: str = Field(sa_column=Column("recorded_by", Text, nullable=False))
    imported: bool = Field(
        sa_column=Column("imported", Boolean, nullable=False, server_default=text("false"))
    )
    source: str = Field(
        sa_column=Column("source", Text, nullable=False, server_default=text("'observed'::text"))
    )
    co_observation_of: uuid.UUID | None = Field(
        default=None, sa_column=Column("co_observation_of", Uuid)
    )


MODELS: tuple[Declared, ...] = (
    CalibrationAttempts,
    CalibrationReferences,
    CoObservationComparisons,
    DriftSignals,
    Instruments,
    Observations,
)
