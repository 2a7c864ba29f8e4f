"""The learning tables: catalog versions (reference data seeded at start-up) and the
projections written with the events, each row carrying its agency.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Double,
    Index,
    Integer,
    PrimaryKeyConstraint,
    Text,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from shared.schema.service_schema import Declared


class Attempts(SQLModel, table=True):
    __table_args__ = (
        PrimaryKeyConstraint("agency_id", "attempt_id", name="attempts_pkey"),
        Index(
            "attempts_practitioner_idx",
            "agency_id",
            "practitioner_id",
            "attempted_at",
            "attempt_id",
        ),
    )

    agency_id: str = Field(sa_column=Column("agency_id", Text, primary_key=True))
    attempt_id: uuid.UUID = Field(sa_column=Column("attempt_id", Uuid, primary_key=True))
    practitioner_id: str = Field(sa_column=Column("practitioner_id", Text, nullable=False))
    module_id: str = Field(sa_column=Column("module_id", Text, nullable=False))
    module_order: int = Field(sa_column=Column("module_order", Integer, nullable=False))
    assessment_id: str = Field(sa_column=Column("assessment_id", Text, nullable=False))
    scaled_score: float = Field(sa_column=Column("scaled_score", Double(53), nullable=False))
    passed: bool = Field(sa_column=Column("passed", Boolean, nullable=False))
    mastered_module: bool = Field(sa_column=Column("mastered_module", Boolean, nullable=False))
    attempted_at: datetime.datetime = Field(
        sa_column=Column("attempted_at", DateTime(True), nullable=False)
    )
    recorded_at: datetime.datetime = Field(
        sa_column=Column("recorded_at", DateTime(True), nullable=False)
    )
    previous_module_mastered: bool | None = Field(
        default=None, sa_column=Column("previous_module_mastered", Boolean)
    )
    source_statement_id: str | None = Field(
        default=None, sa_column=Column("source_statement_id", Text)
    )


class Catalogs(SQLModel, table=True):
    __table_args__ = (PrimaryKeyConstraint("version", name="catalogs_pkey"),)

    version: str = Field(sa_column=Column("version", Text, primary_key=True))
    content: Any = Field(sa_column=Column("content", JSONB, nullable=False))
    published_at: datetime.datetime = Field(
        sa_column=Column(
            "published_at", DateTime(True), nullable=False, server_default=text("now()")
        )
    )


class ConceptReviews(SQLModel, table=True):
    __tablename__ = "concept_reviews"
    __table_args__ = (
        PrimaryKeyConstraint("agency_id", "review_id", name="concept_reviews_pkey"),
        Index(
            "concept_reviews_practitioner_idx",
            "agency_id",
            "practitioner_id",
            "reviewed_at",
            "review_id",
        ),
    )

    agency_id: str = Field(sa_column=Column("agency_id", Text, primary_key=True))
    review_id: uuid.UUID = Field(sa_column=Column("review_id", Uuid, primary_key=True))
    practitioner_id: str = Field(sa_column=Column("practitioner_id", Text, nullable=False))
    concept_id: str = Field(sa_column=Column("concept_id", Text, nullable=False))
    module_id: str = Field(sa_column=Column("module_id", Text, nullable=False))
    rating: str = Field(sa_column=Column("rating", Text, nullable=False))
    reviewed_at: datetime.datetime = Field(
        sa_column=Column("reviewed_at", DateTime(True), nullable=False)
    )
    restored: bool = Field(sa_column=Column("restored", Boolean, nullable=False))
    recorded_at: datetime.datetime = Field(
        sa_column=Column("recorded_at", DateTime(True), nullable=False)
    )
    scaled_score: float | None = Field(default=None, sa_column=Column("scaled_score", Double(53)))
    next_due_at: datetime.datetime | None = Field(
        default=None, sa_column=Column("next_due_at", DateTime(True))
    )
    source_statement_id: str | None = Field(
        default=None, sa_column=Column("source_statement_id", Text)
    )


class Learners(SQLModel, table=True):
    __table_args__ = (
        PrimaryKeyConstraint("agency_id", "practitioner_id", name="learners_pkey"),
        UniqueConstraint("agency_id", "enrollment_id", name="learners_enrollment_id_key"),
    )

    agency_id: str = Field(sa_column=Column("agency_id", Text, primary_key=True))
    practitioner_id: str = Field(sa_column=Column("practitioner_id", Text, primary_key=True))
    enrollment_id: uuid.UUID = Field(sa_column=Column("enrollment_id", Uuid, nullable=False))
    enrolled_on: datetime.date = Field(sa_column=Column("enrolled_on", Date, nullable=False))
    catalog_version: str = Field(sa_column=Column("catalog_version", Text, nullable=False))
    recorded_at: datetime.datetime = Field(
        sa_column=Column("recorded_at", DateTime(True), nullable=False)
    )


class ReviewCards(SQLModel, table=True):
    __tablename__ = "review_cards"
    __table_args__ = (
        PrimaryKeyConstraint(
            "agency_id", "practitioner_id", "concept_id", name="review_cards_pkey"
        ),
        Index("review_cards_due_idx", "due", postgresql_where="(NOT lapse_open)"),
    )

    agency_id: str = Field(sa_column=Column("agency_id", Text, primary_key=True))
    practitioner_id: str = Field(sa_column=Column("practitioner_id", Text, primary_key=True))
    concept_id: str = Field(sa_column=Column("concept_id", Text, primary_key=True))
    module_id: str = Field(sa_column=Column("module_id", Text, nullable=False))
    due: datetime.datetime = Field(sa_column=Column("due", DateTime(True), nullable=False))
    lapse_open: bool = Field(
        sa_column=Column("lapse_open", Boolean, nullable=False, server_default=text("false"))
    )


MODELS: tuple[Declared, ...] = (
    Attempts,
    Catalogs,
    ConceptReviews,
    Learners,
    ReviewCards,
)
