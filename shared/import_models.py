"""The report of a bulk import, as `GET /imports/{id}` and a dry run answer it."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.import_store import ImportRow


class KindCounts(BaseModel):
    kind: str
    received: int
    stored: int = Field(description="new records stored (a dry run: that would be stored)")
    already_present: int = Field(description="records with this id already stored, same content")
    invalid: int
    pending: int = Field(description="lines not yet stored")


class ImportReport(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "6f1c2d9e-0a4b-4c3d-8e2f-1a2b3c4d5e6f",
                    "dry_run": False,
                    "status": "running",
                    "received": 3,
                    "stored": 1,
                    "already_present": 0,
                    "invalid": 1,
                    "done": 2,
                    "total": 3,
                    "kinds": [
                        {
                            "kind": "attempt",
                            "received": 3,
                            "stored": 1,
                            "already_present": 0,
                            "invalid": 1,
                            "pending": 1,
                        }
                    ],
                    "failure": None,
                    "created_at": "2026-01-05T10:00:00Z",
                    "finished_at": None,
                    "errors": "/imports/6f1c2d9e-0a4b-4c3d-8e2f-1a2b3c4d5e6f/errors",
                }
            ]
        }
    )

    id: uuid.UUID
    dry_run: bool
    status: Literal["running", "completed", "failed"]
    received: int = Field(description="non-empty lines in the file")
    stored: int = Field(description="new records stored (a dry run: that would be stored)")
    already_present: int
    invalid: int = Field(description="lines refused; see `errors`")
    done: int = Field(description="lines decided so far, of `total`")
    total: int
    kinds: list[KindCounts]
    failure: str | None = Field(description="why the import failed, or the last batch retried")
    created_at: datetime
    finished_at: datetime | None
    errors: str = Field(description="where the invalid lines are listed, by line number")


class ImportLineError(BaseModel):
    line: int = Field(description="line number in the file, from 1")
    kind: str
    id: str = Field(description="the line's record id, if it had one")
    problem: dict[str, Any] = Field(description="the RFC 9457 problem its POST would answer")


_OUTCOMES = {"stored": "stored", "present": "already_present", "invalid": "invalid"}


def report_of(row: ImportRow, counts: dict[tuple[str, str | None], int]) -> ImportReport:
    per_kind: dict[str, dict[str, int]] = {}
    for (kind, outcome), number in sorted(counts.items(), key=lambda c: (c[0][0], str(c[0][1]))):
        tally = per_kind.setdefault(
            kind, {"received": 0, "stored": 0, "already_present": 0, "invalid": 0, "pending": 0}
        )
        tally["received"] += number
        tally[_OUTCOMES.get(outcome or "", "pending")] += number
    kinds = [KindCounts(kind=k or "(none)", **t) for k, t in per_kind.items()]
    total = {key: sum(t[key] for t in per_kind.values()) for key in _OUTCOMES.values()}
    return ImportReport(
        id=row.id,
        dry_run=row.dry_run,
        status=row.status,
        received=row.total,
        stored=total["stored"],
        already_present=total["already_present"],
        invalid=total["invalid"],
        done=sum(total.values()),
        total=row.total,
        kinds=kinds,
        failure=row.failure,
        created_at=row.created_at,
        finished_at=row.finished_at,
        errors=f"/imports/{row.id}/errors",
    )
