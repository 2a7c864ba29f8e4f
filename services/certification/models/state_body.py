"""The stored body of a certification state, written without building the response model.

Every fold a rebuild or an evaluation stores ends in this body (the bytes `GET
…/certification` answers). `CertificationStatePublic` is the documented shape; building
it only to serialize it validated every level and transition a second time, about half
the body's cost. Here the same JSON is written from plain dicts through a serializer
that knows the shape (`_BODY`, the public model's fields in its order), so the bytes
are the ones `state_public(state).model_dump_json(by_alias=True)` gives (a unit test
holds the two together).
"""

from __future__ import annotations

from datetime import date

from pydantic import TypeAdapter
from typing_extensions import TypedDict

from services.certification.domain.state import (
    CertificationState,
    RequirementResult,
    RuleResult,
)
from services.certification.domain.transitions import CertificationStatus, TransitionKind


class _TransitionBody(TypedDict):
    level: str
    kind: TransitionKind
    effective_on: date
    from_status: CertificationStatus
    to_status: CertificationStatus
    reasons: tuple[str, ...]
    evidence_ids: tuple[str, ...]


class _LevelBody(TypedDict):
    level: str
    title: str
    status: CertificationStatus
    since: date | None
    certified_on: date | None
    at_risk_since: date | None
    requirements_met: bool
    requirements: tuple[RequirementResult, ...]
    maintenance: tuple[RuleResult, ...]


class _StateBody(TypedDict):
    practitioner_id: str
    policy_id: str
    policy_version: int
    as_of: date
    levels: list[_LevelBody]
    transitions: list[_TransitionBody]


_BODY: TypeAdapter[_StateBody] = TypeAdapter(_StateBody)


def state_body_json(state: CertificationState) -> str:
    """``state`` as the JSON body of `CertificationStatePublic`, byte for byte."""
    body: _StateBody = {
        "practitioner_id": state.practitioner_id,
        "policy_id": state.policy_id,
        "policy_version": state.policy_version,
        "as_of": state.as_of,
        "levels": [
            {
                "level": level.level_key,
                "title": level.title,
                "status": level.status,
                "since": level.since,
                "certified_on": level.certified_on,
                "at_risk_since": level.at_risk_since,
                "requirements_met": level.requirements_met,
                "requirements": level.requirements,
                "maintenance": level.maintenance,
            }
            for level in state.levels
        ],
        "transitions": [
            {
                "level": t.level_key,
                "kind": t.kind,
                "effective_on": t.on,
                "from_status": t.from_status,
                "to_status": t.to_status,
                "reasons": t.reasons,
                "evidence_ids": t.evidence_ids,
            }
            for t in state.transitions
        ],
    }
    return _BODY.dump_json(body).decode()
