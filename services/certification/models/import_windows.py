"""Request and response models of import windows."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.identifiers import DisplayName, Identifier


class ImportWindowCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"id": "import-2026-01", "label": "agency export"}]},
    )

    id: Identifier | None = Field(
        default=None,
        description="the window's id, chosen by the client so a retried open is safe: the "
        "same id and label return the stored window (200), another label is a 409; left "
        "out, the server picks one",
    )
    label: DisplayName | None = Field(default=None, description="what is imported")


class ImportWindowPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "import-2026-01",
                    "status": "closed",
                    "label": "agency export",
                    "opened_at": "2026-01-10T09:00:00Z",
                    "opened_by": "agency-1/admin-ada",
                    "closed_at": "2026-01-10T09:20:00Z",
                    "closed_by": "agency-1/admin-ada",
                    "open_seconds": 1200.0,
                    "overdue": False,
                    "practitioners_held": 42,
                    "transitions_published": 37,
                    "upstream_pending_at_close": 0,
                }
            ]
        }
    )

    id: str
    status: Literal["open", "closed"]
    label: str | None
    opened_at: datetime
    opened_by: str | None
    closed_at: datetime | None
    closed_by: str | None
    open_seconds: float = Field(description="how long it is (or was) open")
    overdue: bool = Field(
        description="still open after CERTIFICATION_IMPORT_WINDOW_OVERDUE_HOURS: agency apps "
        "hear nothing from this agency until it closes"
    )
    practitioners_held: int = Field(
        description="practitioners evaluated while the window was open (publication held)"
    )
    transitions_published: int | None = Field(
        description="net transition events published on close; null while open"
    )
    upstream_pending_at_close: int | None = Field(
        default=None,
        description="in a close's answer: upstream events (any agency) still queued for "
        "certification when the wait ran out (0: everything sent had arrived); their "
        "evidence is published live as it arrives",
    )
