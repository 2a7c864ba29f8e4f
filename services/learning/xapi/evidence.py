"""From a stored Statement to learning evidence: which attempt or review it stands for.

An agency maps Activity ids to its catalog (`ActivityMapping`) and LMS identities to
practitioners. For a Statement by a mapped learner on a mapped Activity (its Object):

- `assessment` (target: a module): every *scored* Statement is an assessment attempt
  with its scaled score; the learning service's mastery score decides mastery.
- `module` (target: a module, with a cmi5 `moveOn`): the Activity is an LMS course or
  cmi5 AU teaching the module.
  - In a *cmi5 registration* (a `context.registration` and the cmi5 category Activity
    in `context.contextActivities.category`, cmi5 §9.6.2.1): a scored `failed` is a
    (failed) attempt; the Statement that first satisfies moveOn in its registration is
    an attempt with the best scaled score recorded for the AU in that registration — or
    1.0 when the AU reports no score (`evidence_for` with the registration's progress).
  - Otherwise (how most LMSs report, `module_evidence`): a `passed` or `failed` with a
    score is an attempt on its own; `waived` is an attempt at 1.0; an unscored `passed`
    or a `completed` is an attempt when it meets moveOn by itself (a `passed` with
    `result.completion: true` counts as both verbs) or together with the learner's
    other `passed` / `completed` on the Activity within the combining window (the
    store finds those partners); until then it is *waiting*.
- `concept` (target: a concept): a review, rated from the scaled score, or `good` for
  passed/completed and `again` for failed when unscored.

ADL verbs (`http://adlnet.gov/expapi/verbs/passed`, …) count as the cmi5 ones, since
many LMSs send those. Nothing here does I/O; `recording` applies the outcome.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from .cmi5 import COMPLETED, FAILED, PASSED, WAIVED, MoveOn, is_au_satisfied
from .formats import parse_timestamp
from .matching import registration, verb_id
from .structure import JsonObject

_ADL = "http://adlnet.gov/expapi/verbs/"
CMI5_CATEGORY = "https://w3id.org/xapi/cmi5/context/categories/cmi5"
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


def cmi5_registration(statement: JsonObject) -> UUID | None:
    """The registration when the Statement is a cmi5 one (registration + cmi5 category)."""
    found = registration(statement)
    if found is None:
        return None
    context = statement.get("context")
    activities = context.get("contextActivities") if isinstance(context, Mapping) else None
    category = activities.get("category") if isinstance(activities, Mapping) else None
    if isinstance(category, Mapping):
        category = [category]
    if not isinstance(category, list):
        return None
    ids = {c.get("id") for c in category if isinstance(c, Mapping)}
    return found if CMI5_CATEGORY in ids else None


def _verbs_shown(statement: JsonObject) -> set[str]:
    """passed/completed this Statement reports (`result.completion: true` is completed)."""
    shown = {normalised_verb(statement)} & {PASSED, COMPLETED, WAIVED}
    result = statement.get("result")
    if isinstance(result, Mapping) and result.get("completion") is True:
        shown.add(COMPLETED)
    return shown


@dataclass(frozen=True)
class ModuleJudgement:
    """What a Statement on a `module` Activity outside a cmi5 registration is."""

    evidence: AttemptEvidence | None = None
    waiting: str | None = None  # why it may still count (a partner Statement to come)
    combined_with: tuple[str, ...] = ()  # partner Statement ids the attempt consumed


def may_combine(statement: JsonObject) -> bool:
    """Whether a Statement can still be a partner of a later one (an unscored passed,
    or a completed)."""
    verb = normalised_verb(statement)
    return verb == COMPLETED or (verb == PASSED and scaled_score(statement) is None)


def module_evidence(
    statement: JsonObject, mapping: ActivityMapping, partners: Sequence[JsonObject] = ()
) -> ModuleJudgement:
    """Judge a Statement on a `module` Activity outside a cmi5 registration.

    `partners`: the learner's other waiting `passed` / `completed` Statements on the
    same Activity within the combining window, oldest first.
    """
    when = practice_time(statement)
    score = scaled_score(statement)
    verb = normalised_verb(statement)
    if verb == FAILED:
        return ModuleJudgement(
            AttemptEvidence(mapping.target_id, score, when) if score is not None else None
        )
    if verb == PASSED and score is not None:
        return ModuleJudgement(AttemptEvidence(mapping.target_id, score, when))
    if verb == WAIVED:
        return ModuleJudgement(AttemptEvidence(mapping.target_id, 1.0, when))
    if verb not in (PASSED, COMPLETED):
        return ModuleJudgement()
    move_on = mapping.move_on or MoveOn.COMPLETED_AND_PASSED
    seen = _verbs_shown(statement)
    used: list[JsonObject] = []
    for partner in [None, *partners]:
        if partner is not None:
            if not may_combine(partner) or _verbs_shown(partner) <= seen:
                continue
            seen |= _verbs_shown(partner)
            used.append(partner)
        if is_au_satisfied(move_on, seen):
            scores = [s for s in map(scaled_score, [statement, *used]) if s is not None]
            latest = max([when, *map(practice_time, used)])
            evidence = AttemptEvidence(mapping.target_id, max(scores) if scores else 1.0, latest)
            return ModuleJudgement(evidence, combined_with=tuple(str(p["id"]) for p in used))
    missing = "passed" if PASSED not in seen else "completed"
    return ModuleJudgement(
        waiting=f"waiting for a {missing} statement by the same learner on this Activity "
        f"(moveOn {move_on.value}) within the combining window"
    )
