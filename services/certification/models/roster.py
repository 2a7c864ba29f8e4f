"""Request and response models of the roster: practitioners and their level statuses."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from services.certification.domain.transitions import CertificationStatus
from services.certification.domain.vocabulary import Role
from shared.identifiers import Identifier, PersonId
from shared.practice_time import PracticeDate

_REGISTRATION_EXAMPLE: JsonDict = {
    "practitioner_id": "prac-pat",
    "role": "facilitator",
    "program_start": "2025-01-06",
    "coach_id": "coach-ana",
    "supervisor_id": "sup-sam",
    "team_id": None,
}


class PractitionerCreate(BaseModel):
    """A practitioner entering the certification program of the agency."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [_REGISTRATION_EXAMPLE]}
    )

    practitioner_id: PersonId
    role: Role
    program_start: PracticeDate = Field(
        description="practice date the program started (tenure counts from it); not in the future",
    )
    coach_id: PersonId | None = None
    supervisor_id: PersonId | None = None
    team_id: Identifier | None = Field(
        default=None, description="a named team (the supervisor's team needs no name)"
    )


class LevelStatusPublic(BaseModel):
    level: str
    status: CertificationStatus
    since: date | None = Field(description="practice date of the level's latest transition")
    certified_on: date | None
    at_risk_since: date | None


class PractitionerPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                _REGISTRATION_EXAMPLE
                | {
                    "left_on": None,
                    "levels": [
                        {
                            "level": "facilitator",
                            "status": "certified",
                            "since": "2025-12-01",
                            "certified_on": "2025-12-01",
                            "at_risk_since": None,
                        },
                        {
                            "level": "coach",
                            "status": "not_started",
                            "since": None,
                            "certified_on": None,
                            "at_risk_since": None,
                        },
                    ],
                    "evaluated_as_of": "2026-01-10",
                    "next_change_on": "2026-08-28",
                }
            ]
        }
    )

    practitioner_id: str
    role: str
    program_start: date
    coach_id: str | None
    supervisor_id: str | None
    team_id: str | None
    left_on: date | None = Field(description="the leaving day, while the practitioner is away")
    levels: list[LevelStatusPublic]
    evaluated_as_of: date | None = Field(description="date of the stored evaluation")
    next_change_on: date | None = Field(
        description="first day time alone may change a status (the clock re-evaluates then)"
    )
