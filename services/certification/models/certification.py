"""Response models of a practitioner's certification: state, explanation, history."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from pydantic.config import JsonDict

from services.certification.domain.state import (
    CertificationState,
    RequirementResult,
    RuleResult,
)
from services.certification.domain.transitions import CertificationStatus, TransitionKind
from services.certification.models.state_body import state_body_json
from shared.practice_time import PracticeDate

_REQUIREMENT_EXAMPLE: JsonDict = {
    "requirement": "qualifying_observations",
    "met": True,
    "reason": "2 of 2 qualifying team meeting observations in the last 180 days: obs-1 on "
    "2025-10-20 (86%), obs-2 on 2025-12-01 (83%); 42 days apart; obs-2 observed by "
    "observer-9, not the practitioner's coach",
    "evidence_ids": ["5d7c…", "9a1b…"],
}


class TransitionPublic(BaseModel):
    level: str
    kind: TransitionKind
    effective_on: date
    from_status: CertificationStatus
    to_status: CertificationStatus
    reasons: list[str]
    evidence_ids: list[str]


class LevelStatePublic(BaseModel):
    level: str
    title: str
    status: CertificationStatus
    since: date | None
    certified_on: date | None
    at_risk_since: date | None
    requirements_met: bool = Field(description="every initial requirement met on `as_of`")
    requirements: list[RequirementResult]
    maintenance: list[RuleResult] = Field(description="empty until the level is first granted")


class CertificationStatePublic(BaseModel):
    """A practitioner's certification as of a date, every decision with its reasons."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "practitioner_id": "prac-pat",
                    "policy_id": "miiwrap-default",
                    "policy_version": 1,
                    "as_of": "2026-01-10",
                    "levels": [
                        {
                            "level": "facilitator",
                            "title": "MiiWrap Facilitator — Certified",
                            "status": "certified",
                            "since": "2025-12-01",
                            "certified_on": "2025-12-01",
                            "at_risk_since": None,
                            "requirements_met": True,
                            "requirements": [_REQUIREMENT_EXAMPLE],
                            "maintenance": [],
                        }
                    ],
                    "transitions": [
                        {
                            "level": "facilitator",
                            "kind": "granted",
                            "effective_on": "2025-12-01",
                            "from_status": "in_progress",
                            "to_status": "certified",
                            "reasons": ["6 of 6 modules mastered in order: …"],
                            "evidence_ids": ["5d7c…"],
                        }
                    ],
                }
            ]
        }
    )

    practitioner_id: str
    policy_id: str
    policy_version: int
    as_of: date
    levels: list[LevelStatePublic]
    transitions: list[TransitionPublic] = Field(description="every transition up to `as_of`")


class PublishedTransitionPublic(BaseModel):
    """A transition event as published to agency apps, with its fate since."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "event_id": "0b6f9a52-1f0e-4b7e-9b7e-6c2a1d9e4f10",
                    "type": "org.miiwrap.certification.certification_granted.v1",
                    "level": "facilitator",
                    "kind": "granted",
                    "effective_on": "2025-12-01",
                    "true_effective_on": "2025-12-01",
                    "from_status": "in_progress",
                    "to_status": "certified",
                    "policy_id": "miiwrap-default",
                    "policy_version": 1,
                    "reason": None,
                    "explanation": {"reasons": ["…"], "evidence_ids": ["…"]},
                    "correction": False,
                    "corrects": [],
                    "retracted_by": None,
                    "recorded_at": "2026-01-10T09:30:00Z",
                }
            ]
        }
    )

    event_id: uuid.UUID
    type: str
    level: str
    kind: TransitionKind
    effective_on: date = Field(description="never earlier than the level's previous event")
    true_effective_on: date = Field(
        description="when the change truly took effect (before effective_on only when late "
        "evidence moved history behind what was already published)"
    )
    from_status: CertificationStatus
    to_status: CertificationStatus
    policy_id: str
    policy_version: int
    reason: str | None
    explanation: dict[str, Any]
    correction: bool = Field(description="published to correct the announced status")
    corrects: list[uuid.UUID] = Field(description="earlier events late evidence retracted")
    retracted_by: uuid.UUID | None = Field(description="the event that retracted this one")
    recorded_at: datetime


Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=2000)]


class AdminDecisionCreate(BaseModel):
    """An admin revokes (or reinstates) a level, or every level when `level` is left out."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "level": "facilitator",
                    "reason": "falsified observation records (HR case 2026-14)",
                    "effective_on": "2026-01-10",
                }
            ]
        },
    )

    level: str | None = Field(default=None, description="a level key of the adopted policy")
    reason: Reason = Field(description="why; published with the event")
    effective_on: PracticeDate | None = Field(
        default=None,
        description="practice date it takes effect; today when left out",
    )


def state_public(state: CertificationState) -> CertificationStatePublic:
    return CertificationStatePublic(
        practitioner_id=state.practitioner_id,
        policy_id=state.policy_id,
        policy_version=state.policy_version,
        as_of=state.as_of,
        levels=[
            LevelStatePublic(
                level=level.level_key,
                title=level.title,
                status=level.status,
                since=level.since,
                certified_on=level.certified_on,
                at_risk_since=level.at_risk_since,
                requirements_met=level.requirements_met,
                requirements=list(level.requirements),
                maintenance=list(level.maintenance),
            )
            for level in state.levels
        ],
        transitions=[
            TransitionPublic(
                level=t.level_key,
                kind=t.kind,
                effective_on=t.on,
                from_status=t.from_status,
                to_status=t.to_status,
                reasons=list(t.reasons),
                evidence_ids=list(t.evidence_ids),
            )
            for t in state.transitions
        ],
    )


def state_json(state: CertificationState) -> str:
    """The body of `GET …/certification` for ``state``: the stored projection keeps these
    exact bytes, so a read from it and a fresh fold answer the same. Written straight from
    the state (`state_body.py`): the same bytes as ``state_public(state)`` dumped."""
    return state_body_json(state)
