"""Request and response models of the roster lifecycle: changes, leaving, return, history."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.certification.domain.vocabulary import Role
from services.certification.models.roster import PractitionerPublic
from shared.identifiers import Identifier, PersonId
from shared.practice_time import PracticeDate

ClientId = uuid.UUID | None
_CLIENT_ID = "your id for this request; a retry with it is safe"
_EFFECTIVE_ON = "practice date the fact takes effect (not in the future)"


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: ClientId = Field(default=None, description=_CLIENT_ID)
    effective_on: PracticeDate = Field(description=_EFFECTIVE_ON)


class DetailsChangeCreate(_Request):
    """New roster details from ``effective_on`` on; fields left out stay as they are."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"effective_on": "2025-06-02", "supervisor_id": "sup-lee"}]
        },
    )

    role: Role | None = None
    coach_id: PersonId | None = Field(default=None, description="null: no coach from then on")
    supervisor_id: PersonId | None = Field(default=None, description="null: no supervisor")
    team_id: Identifier | None = Field(default=None, description="null: no named team")
    program_start: PracticeDate | None = None

    @model_validator(mode="after")
    def _role_and_start_cannot_be_cleared(self) -> DetailsChangeCreate:
        for name in ("role", "program_start"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be cleared; send a value or leave it out")
        return self

    def requested(self) -> dict[str, Any]:
        """The details the caller sent, explicit nulls included."""
        return {
            name: getattr(self, name)
            for name in self.model_fields_set
            if name not in ("id", "effective_on")
        }


class LeavingCreate(_Request):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"effective_on": "2025-09-30", "reason": "moved away"}]},
    )

    reason: str | None = Field(default=None, min_length=1, max_length=500)


class ReturnCreate(_Request):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"effective_on": "2026-01-05"}]}
    )


class RosterChangePublic(BaseModel):
    """One dated fact of the roster history, with the details in force from that day."""

    kind: str = Field(description="registered, details_changed, left or returned")
    effective_on: date
    changed: list[str]
    role: str
    program_start: date
    coach_id: str | None
    supervisor_id: str | None
    team_id: str | None
    reason: str | None
    recorded_at: datetime


class PractitionerDetailPublic(PractitionerPublic):
    history: list[RosterChangePublic] = Field(description="the roster history, oldest first")
