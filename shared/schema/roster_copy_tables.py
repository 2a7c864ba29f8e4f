"""The local copy of certification's roster that learning, coaching and fidelity keep
(shared/roster_copy.py): details per effective date, departures and returns.
"""

from __future__ import annotations

import datetime

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Index,
    PrimaryKeyConstraint,
    SmallInteger,
    Text,
)
from sqlmodel import Field, SQLModel

from shared.schema.service_schema import Declared


class RosterDepartures(SQLModel, table=True):
    __tablename__ = "roster_departures"
    __table_args__ = (
        CheckConstraint(
            "kind = ANY (ARRAY['left'::text, 'returned'::text])",
            name="roster_departures_kind_check",
        ),
        PrimaryKeyConstraint(
            "agency_id", "practitioner_id", "kind", "effective_on", name="roster_departures_pkey"
        ),
    )

    agency_id: str = Field(sa_column=Column("agency_id", Text, primary_key=True))
    practitioner_id: str = Field(sa_column=Column("practitioner_id", Text, primary_key=True))
    kind: str = Field(sa_column=Column("kind", Text, primary_key=True))
    effective_on: datetime.date = Field(sa_column=Column("effective_on", Date, primary_key=True))
    event_id: str = Field(sa_column=Column("event_id", Text, nullable=False))
    reason: str | None = Field(default=None, sa_column=Column("reason", Text))


class RosterDetails(SQLModel, table=True):
    __tablename__ = "roster_details"
    __table_args__ = (
        PrimaryKeyConstraint(
            "agency_id", "practitioner_id", "effective_on", name="roster_details_pkey"
        ),
        Index("roster_details_supervisor_idx", "agency_id", "supervisor_id"),
        Index("roster_details_team_idx", "agency_id", "team_id"),
    )

    agency_id: str = Field(sa_column=Column("agency_id", Text, primary_key=True))
    practitioner_id: str = Field(sa_column=Column("practitioner_id", Text, primary_key=True))
    effective_on: datetime.date = Field(sa_column=Column("effective_on", Date, primary_key=True))
    rank: int = Field(sa_column=Column("rank", SmallInteger, nullable=False))
    recorded_at: datetime.datetime = Field(
        sa_column=Column("recorded_at", DateTime(True), nullable=False)
    )
    event_id: str = Field(sa_column=Column("event_id", Text, nullable=False))
    program_start: datetime.date = Field(sa_column=Column("program_start", Date, nullable=False))
    role: str | None = Field(default=None, sa_column=Column("role", Text))
    coach_id: str | None = Field(default=None, sa_column=Column("coach_id", Text))
    supervisor_id: str | None = Field(default=None, sa_column=Column("supervisor_id", Text))
    team_id: str | None = Field(default=None, sa_column=Column("team_id", Text))


MODELS: tuple[Declared, ...] = (
    RosterDepartures,
    RosterDetails,
)
