"""What ``evaluate`` returns: each level's status with the reasons behind it.

Every requirement and every maintenance rule answers three questions: met/fired or
not, a sentence saying why, and the ids of the evidence events the answer rests on.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict

from services.certification.domain.transitions import CertificationStatus, Transition


class _Result(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RequirementResult(_Result):
    """One initial requirement of a level, judged at the evaluation date.

    ``requirement`` is the policy requirement's ``type`` (or ``requires_level`` for
    a level's prerequisite); results come in the policy's order.
    """

    requirement: str
    met: bool
    reason: str
    evidence_ids: tuple[str, ...] = ()


Effect = Literal["at_risk", "lapse"]


class RuleResult(_Result):
    """One maintenance rule of a level, judged at the evaluation date."""

    rule: str
    effect: Effect
    fired: bool
    reason: str
    evidence_ids: tuple[str, ...] = ()


class LevelState(_Result):
    """A level's status as of the evaluation date and how it got there.

    ``requirements`` are the initial rules judged now: what a grant (or, after a
    lapse, a requalification) needs. A certified level keeps its status while
    maintenance holds even if some of them are no longer met; ``maintenance`` (empty
    until the level is first granted) says whether that is so.
    """

    level_key: str
    title: str
    status: CertificationStatus
    since: date | None  # date of the latest transition
    certified_on: date | None  # date of the latest grant
    at_risk_since: date | None
    requirements: tuple[RequirementResult, ...]
    maintenance: tuple[RuleResult, ...]
    transitions: tuple[Transition, ...]

    @property
    def requirements_met(self) -> bool:
        return all(result.met for result in self.requirements)


class CertificationState(_Result):
    """One practitioner's certification under one policy version as of a date."""

    practitioner_id: str
    policy_id: str
    policy_version: int
    as_of: date
    levels: tuple[LevelState, ...]
    transitions: tuple[Transition, ...]  # all levels, chronological

    def level(self, key: str) -> LevelState:
        for level in self.levels:
            if level.level_key == key:
                return level
        raise KeyError(key)
