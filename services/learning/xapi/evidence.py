"""From a stored Statement to learning evidence: which attempt or review it stands for.

An agency maps Activity ids to its catalog (`ActivityMapping`) and LMS identities to
practitioners. For a Statement by a mapped learner on a mapped Activity (its Object):

- `assessment` (target: a module): every *scored* Statement is an assessment attempt
  with its scaled score; the learning service's mastery score decides mastery.
- `module` (target: a module, with a cmi5 `moveOn`): the Activity is an LMS course or
  cmi5 AU teaching the module. A scored `failed` is a (failed) attempt; the Statement
  that first satisfies moveOn in its registration is an attempt with the best scaled
  score recorded for the AU in that registration — or 1.0 when the AU reports no score
  (completion-only AUs: the LMS's moveOn is then the only judgement there is).
  Without a registration a Statement is judged on its own.
- `concept` (target: a concept): a review, rated from the scaled score, or `good` for
  passed/completed and `again` for failed when unscored.

ADL verbs (`http://adlnet.gov/expapi/verbs/passed`, …) count as the cmi5 ones, since
many LMSs send those. Nothing here does I/O; `recording` applies the outcome.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from .cmi5 import COMPLETED, FAILED, PASSED, MoveOn, is_au_satisfied
from .formats import parse_timestamp
from .matching import verb_id
from .structure import JsonObject

_ADL = "http://adlnet.gov/expapi/verbs/"
_SAME_AS_CMI5 = {_ADL + "passed": PASSED, _ADL + "completed": COMPLETED, _ADL + "failed": FAILED}


class MappingKind(StrEnum):
    MODULE = "module"
    ASSESSMENT = "assessment"
    CONCEPT = "concept"


@dataclass(frozen=True)
class ActivityMapping:
    activity_id: str
    kind: MappingKind
    target_id: str  # a module id for module/assessment, a concept id for concept
    move_on: MoveOn | None = None


@dataclass(frozen=True)
class AttemptEvidence:
    module_id: str
    scaled_score: float
    attempted_at: datetime


@dataclass(frozen=True)
class ReviewEvidence:
    concept_id: str
    reviewed_at: datetime
    scaled_score: float | None = None
    rating: str | None = None


Evidence = AttemptEvidence | ReviewEvidence


@dataclass
class AuProgress:
    """What a registration has shown so far for one AU (verbs, best score, satisfied)."""

    satisfied: bool = False
    verbs: set[str] = field(default_factory=set)
    best_score: float | None = None

    def add(self, statement: JsonObject) -> None:
        verb = normalised_verb(statement)
        score = scaled_score(statement)
        if verb != FAILED:
            self.verbs.add(verb)
            if score is not None:
                self.best_score = score if self.best_score is None else max(self.best_score, score)


def normalised_verb(statement: JsonObject) -> str:
    verb = verb_id(statement) or ""
    return _SAME_AS_CMI5.get(verb, verb)


def object_activity_id(statement: JsonObject) -> str | None:
    """The Activity id when the Statement's Object is an Activity."""
    statement_object = statement.get("object")
    if not isinstance(statement_object, Mapping):
        return None
    if statement_object.get("objectType", "Activity") != "Activity":
        return None
    return str(statement_object["id"])


def practice_time(statement: JsonObject) -> datetime:
    """When it happened: the Statement's timestamp (the LRS fills it in when absent)."""
    return parse_timestamp(str(statement.get("timestamp") or statement["stored"]))


def scaled_score(statement: JsonObject) -> float | None:
    """`result.score.scaled`, else (raw - min) / (max - min) when all three are given."""
    result = statement.get("result")
    score = result.get("score") if isinstance(result, Mapping) else None
    if not isinstance(score, Mapping):
        return None
    if isinstance(scaled := score.get("scaled"), int | float):
        return float(scaled)
    raw, low, high = score.get("raw"), score.get("min"), score.get("max")
    if all(isinstance(v, int | float) for v in (raw, low, high)):
        assert isinstance(raw, int | float) and isinstance(low, int | float)
        assert isinstance(high, int | float)
        return (raw - low) / (high - low)
    return None


def evidence_for(
    statement: JsonObject, mapping: ActivityMapping, progress: AuProgress | None
) -> Evidence | None:
    """What the Statement is evidence of under `mapping`, or None.

    For a `module` mapping `progress` is the AU's progress in the Statement's
    registration (updated here); pass a fresh one for a Statement without registration.
    """
    when = practice_time(statement)
    score = scaled_score(statement)
    verb = normalised_verb(statement)
    if mapping.kind is MappingKind.ASSESSMENT:
        return AttemptEvidence(mapping.target_id, score, when) if score is not None else None
    if mapping.kind is MappingKind.CONCEPT:
        if score is not None:
            return ReviewEvidence(mapping.target_id, when, scaled_score=score)
        rating = {PASSED: "good", COMPLETED: "good", FAILED: "again"}.get(verb)
        return ReviewEvidence(mapping.target_id, when, rating=rating) if rating else None
    progress = progress if progress is not None else AuProgress()
    if verb == FAILED:
        return AttemptEvidence(mapping.target_id, score, when) if score is not None else None
    progress.add(statement)
    move_on = mapping.move_on or MoveOn.COMPLETED_AND_PASSED
    if progress.satisfied or not is_au_satisfied(move_on, progress.verbs):
        return None
    progress.satisfied = True
    best = progress.best_score
    return AttemptEvidence(mapping.target_id, 1.0 if best is None else best, when)
