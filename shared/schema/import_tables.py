"""The bulk imports every service runs (shared/import_store.py): one row per import,
one per line of it.
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
    PrimaryKeyConstraint,
    Text,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from shared.schema.service_schema import Declared


class ImportLines(SQLModel, table=True):
    __tablename__ = "import_lines"
    __table_args__ = (
        PrimaryKeyConstraint("agency_id", "import_id", "line_no", name="import_lines_pkey"),
        Index(
            "import_lines_pending_idx",
            "agency_id",
            "import_id",
            "line_no",
            postgresql_where="(outcome IS NULL)",
        ),
    )

    agency_id: str = Field(sa_column=Column("agency_id", Text, primary_key=True))
    import_id: uuid.UUID = Field(sa_column=Column("import_id", Uuid, primary_key=True))
    line_no: int = Field(sa_column=Column("line_no", Integer, primary_key=True))
    kind: str = Field(sa_column=Column("kind", Text, nullable=False))
    record_id: str = Field(sa_column=Column("record_id", Text, nullable=False))
    # a pending line's JSON text as sent, held as one JSON string (import_store.py);
    # NULL once the line has its outcome
    fields: Any | None = Field(default=None, sa_column=Column("fields", JSONB))
    outcome: str | None = Field(default=None, sa_column=Column("outcome", Text))
    problem: Any | None = Field(default=None, sa_column=Column("problem", JSONB))


class Imports(SQLModel, table=True):
    __table_args__ = (
        PrimaryKeyConstraint("agency_id", "id", name="imports_pkey"),
        Index("imports_running_idx", "created_at", postgresql_where="(status = 'running'::text)"),
    )

    agency_id: str = Field(sa_column=Column("agency_id", Text, primary_key=True))
    id: uuid.UUID = Field(sa_column=Column("id", Uuid, primary_key=True))
    dry_run: bool = Field(sa_column=Column("dry_run", Boolean, nullable=False))
    status: str = Field(sa_column=Column("status", Text, nullable=False))
    principal: Any = Field(sa_column=Column("principal", JSONB, nullable=False))
    total: int = Field(sa_column=Column("total", Integer, nullable=False))
    failed_rounds: int = Field(
        sa_column=Column("failed_rounds", Integer, nullable=False, server_default=text("0"))
    )
    created_at: datetime.datetime = Field(
        sa_column=Column("created_at", DateTime(True), nullable=False, server_default=text("now()"))
    )
    failure: str | None = Field(default=None, sa_column=Column("failure", Text))
    finished_at: datetime.datetime | None = Field(
        default=None, sa_column=Column("finished_at", DateTime(True))
    )


MODELS: tuple[Declared, ...] = (
    ImportLines,
    Imports,
)
