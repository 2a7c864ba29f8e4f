"""The coaching projections: one table per record kind, keyed by agency first.
`fingerprint` holds the hash of the command that created a record, to tell an
idempotent repeat from a conflicting reuse of its id.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from sqlalchemy import (
    Column,
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


class Assignments(SQLModel, table=True):
    __table_args__ = (
        PrimaryKeyConstraint("agency_id", "assignment_id", name="assignments_pkey"),
        Index("assignments_coach_idx", "agency_id", "coach_id"),
        Index("assignments_practitioner_idx", "agency_id", "practitioner_id", "valid_from"),
    )

    agency_id: str = Field(sa_column=Column("agency_id", Text, primary_key=True))
    assignment_id: uuid.UUID = Field(sa_column=Column("assignment_id", Uuid, primary_key=True))
    coach_id: str = Field(sa_column=Column("coach_id", Text, nullable=False))
    practitioner_id: str = Field(sa_column=Column("practitioner_id", Text, nullable=False))
    valid_from: datetime.date = Field(sa_column=Column("valid_from", Date, nullable=False))
    fingerprint: str = Field(sa_column=Column("fingerprint", Text, nullable=False))
    recorded_at: datetime.datetime = Field(
        sa_column=Column(
            "recorded_at", DateTime(True), nullable=False, server_default=text("now()")
        )
    )
    valid_to: datetime.date | None = Field(default=None, sa_column=Column("valid_to", Date))


class PeerSessions(SQLModel, table=True):
    __tablename__ = "peer_sessions"
    __table_args__ = (
        PrimaryKeyConstraint("agency_id", "session_id", name="peer_sessions_pkey"),
        Index("peer_sessions_held_on_idx", "agency_id", "held_on"),
    )

    agency_id: str = Field(sa_column=Column("agency_id", Text, primary_key=True))
    session_id: uuid.UUID = Field(sa_column=Column("session_id", Uuid, primary_key=True))
    facilitator_id: str = Field(sa_column=Column("facilitator_id", Text, nullable=False))
    participant_ids: list[str] = Field(
        sa_column=Column("participant_ids", ARRAY(Text()), nullable=False)
    )
    held_on: datetime.date = Field(sa_column=Column("held_on", Date, nullable=False))
    competencies: list[str] = Field(sa_column=Column("competencies", ARRAY(Text()), nullable=False))
    shared: str = Field(sa_column=Column("shared", Text, nullable=False))
    fingerprint: str = Field(sa_column=Column("fingerprint", Text, nullable=False))
    recorded_at: datetime.datetime = Field(
        sa_column=Column(
            "recorded_at", DateTime(True), nullable=False, server_default=text("now()")
        )
    )


class Plans(SQLModel, table=True):
    __table_args__ = (
        PrimaryKeyConstraint("agency_id", "plan_id", name="plans_pkey"),
        UniqueConstraint("agency_id", "practitioner_id", name="plans_one_per_practitioner"),
    )

    agency_id: str = Field(sa_column=Column("agency_id", Text, primary_key=True))
    plan_id: uuid.UUID = Field(sa_column=Column("plan_id", Uuid, primary_key=True))
    practitioner_id: str = Field(sa_column=Column("practitioner_id", Text, nullable=False))
    goals: Any = Field(sa_column=Column("goals", JSONB, nullable=False))
    fingerprint: str = Field(sa_column=Column("fingerprint", Text, nullable=False))
    updated_at: datetime.datetime = Field(
        sa_column=Column("updated_at", DateTime(True), nullable=False, server_default=text("now()"))
    )


class Ratings(SQLModel, table=True):
    __table_args__ = (
        PrimaryKeyConstraint("agency_id", "rating_id", name="ratings_pkey"),
        Index("ratings_practitioner_idx", "agency_id", "practitioner_id", "rated_on"),
    )

    agency_id: str = Field(sa_column=Column("agency_id", Text, primary_key=True))
    rating_id: uuid.UUID = Field(sa_column=Column("rating_id", Uuid, primary_key=True))
    practitioner_id: str = Field(sa_column=Column("practitioner_id", Text, nullable=False))
    rater_id: str = Field(sa_column=Column("rater_id", Text, nullable=False))
    competency: str = Field(sa_column=Column("competency", Text, nullable=False))
    level: str = Field(sa_column=Column("level", Text, nullable=False))
    rated_on: datetime.date = Field(sa_column=Column("rated_on", Date, nullable=False))
    source_type: str = Field(sa_column=Column("source_type", Text, nullable=False))
    source_id: str = Field(sa_column=Column("source_id", Text, nullable=False))
    note: str = Field(sa_column=Column("note", Text, nullable=False))
    goals_achieved: list[str] = Field(
        sa_column=Column("goals_achieved", ARRAY(Text()), nullable=False)
    )
    fingerprint: str = Field(sa_column=Column("fingerprint", Text, nullable=False))
    recorded_at: datetime.datetime = Field(
        sa_column=Column("recorded_at", DateTime(True), nullable=False)
    )


class Reflections(SQLModel, table=True):
    __table_args__ = (
        PrimaryKeyConstraint("agency_id", "reflection_id", name="reflections_pkey"),
        Index("reflections_written_on_idx", "agency_id", "written_on"),
    )

    agency_id: str = Field(sa_column=Column("agency_id", Text, primary_key=True))
    reflection_id: uuid.UUID = Field(sa_column=Column("reflection_id", Uuid, primary_key=True))
    practitioner_id: str = Field(sa_column=Column("practitioner_id", Text, nullable=False))
    written_on: datetime.date = Field(sa_column=Column("written_on", Date, nullable=False))
    text_: str = Field(sa_column=Column("text", Text, nullable=False))
    fingerprint: str = Field(sa_column=Column("fingerprint", Text, nullable=False))
    recorded_at: datetime.datetime = Field(
        sa_column=Column(
            "recorded_at", DateTime(True), nullable=False, server_default=text("now()")
        )
    )
    competency: str | None = Field(default=None, sa_column=Column("competency", Text))


class Sessions(SQLModel, table=True):
    __table_args__ = (
        PrimaryKeyConstraint("agency_id", "session_id", name="sessions_pkey"),
        Index("sessions_held_on_idx", "agency_id", "held_on"),
        Index("sessions_practitioner_idx", "agency_id", "practitioner_id", "held_on"),
    )

    agency_id: str = Field(sa_column=Column("agency_id", Text, primary_key=True))
    session_id: uuid.UUID = Field(sa_column=Column("session_id", Uuid, primary_key=True))
    coach_id: str = Field(sa_column=Column("coach_id", Text, nullable=False))
    practitioner_id: str = Field(sa_column=Column("practitioner_id", Text, nullable=False))
    held_on: datetime.date = Field(sa_column=Column("held_on", Date, nullable=False))
    duration_minutes: int = Field(sa_column=Column("duration_minutes", Integer, nullable=False))
    modality: str = Field(sa_column=Column("modality", Text, nullable=False))
    components: list[str] = Field(sa_column=Column("components", ARRAY(Text()), nullable=False))
    competencies: list[str] = Field(sa_column=Column("competencies", ARRAY(Text()), nullable=False))
    goal_ids: list[str] = Field(sa_column=Column("goal_ids", ARRAY(Text()), nullable=False))
    notes: str = Field(sa_column=Column("notes", Text, nullable=False))
    fingerprint: str = Field(sa_column=Column("fingerprint", Text, nullable=False))
    recorded_at: datetime.datetime = Field(
        sa_column=Column(
            "recorded_at", DateTime(True), nullable=False, server_default=text("now()")
        )
    )


MODELS: tuple[Declared, ...] = (
    Assignments,
    PeerSessions,
    Plans,
    Ratings,
    Reflections,
    Sessions,
)
