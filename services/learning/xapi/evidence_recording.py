"""Turning newly stored Statements into learning events, inside the batch's transaction.

Only Statements whose Object is a mapped Activity are considered. Each is resolved to
a practitioner (an explicit identity mapping, or an account whose homePage the agency
declared as "account names are practitioner ids"), judged by `evidence.evidence_for`,
and handed to the learning service's own use cases (`record_attempt`,
`record_review`), which append `assessment_attempted` / `module_mastered` /
`concept_reviewed` with the Statement id as `source_statement_id`. A Statement the
learning rules refuse (not enrolled, dated in the future, …) stays stored; its outcome
row says why it is not evidence.

Work is ordered by practitioner, then practice time: each learner's lock is taken in
the same order by every batch (no deadlocks), and history is applied as it happened.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from uuid import UUID

from pydantic import ValidationError

from services.learning.adapters.learner_stream import lock_learner
from services.learning.domain.errors import LearningDomainError
from services.learning.domain.review import ReviewOutcome
from services.learning.handlers import record_attempt, record_review
from services.learning.models.commands import RecordAttempt, RecordReview
from shared.database import Connection
from shared.problems import Problem
from shared.service import Runtime

from .adapters import mapping_store
from .adapters.mapping_store import StatementOutcome
from .agents import agent_identity
from .evidence import (
    ActivityMapping,
    AttemptEvidence,
    AuProgress,
    Evidence,
    MappingKind,
    evidence_for,
    object_activity_id,
    practice_time,
)
from .matching import registration
from .structure import JsonObject


@dataclass(frozen=True)
class _Work:
    practitioner_id: str
    statement: JsonObject
    mapping: ActivityMapping

    @property
    def statement_id(self) -> UUID:
        return UUID(str(self.statement["id"]))


async def record_evidence(
    runtime: Runtime,
    conn: Connection,
    agency_id: str,
    actor: str,
    statements: Sequence[JsonObject],
) -> list[StatementOutcome]:
    """Record what the mapped ones among these (new, non-voided) Statements stand for."""
    on_activity = [(s, a) for s in statements if (a := object_activity_id(s)) is not None]
    if not on_activity:
        return []
    mappings = await mapping_store.activity_mappings(
        conn, agency_id, sorted({a for _, a in on_activity})
    )
    mapped = [(s, mappings[a]) for s, a in on_activity if a in mappings]
    if not mapped:
        return []
    practitioners = await _practitioners(conn, agency_id, [s for s, _ in mapped])
    outcomes: list[StatementOutcome] = []
    work: list[_Work] = []
    for statement, mapping in mapped:
        practitioner_id = practitioners.get(UUID(str(statement["id"])))
        if practitioner_id is None:
            outcomes.append(_skipped(statement, None, _UNMAPPED_ACTOR))
        else:
            work.append(_Work(practitioner_id, statement, mapping))
    work.sort(key=lambda w: (w.practitioner_id, practice_time(w.statement)))
    batch_ids = [UUID(str(s["id"])) for s in statements]
    progress: dict[tuple[UUID, str], AuProgress] = {}
    for item in work:
        au = await _au_progress(conn, agency_id, item, batch_ids, progress)
        was_satisfied = au is not None and au.satisfied
        evidence = evidence_for(item.statement, item.mapping, au)
        if evidence is None:
            outcomes.append(_skipped(item.statement, item.practitioner_id, _NOT_EVIDENCE))
            continue
        outcome = await _record(runtime, conn, agency_id, actor, item, evidence)
        outcomes.append(outcome)
        if au is not None and au.satisfied and not was_satisfied:
            key = _au_key(item)
            if outcome.outcome != "recorded":
                au.satisfied = False  # refused: a later Statement may still satisfy the AU
            elif key is not None:
                await mapping_store.record_au_satisfaction(
                    conn, agency_id, key[0], key[1], item.statement_id
                )
    await mapping_store.save_outcomes(conn, agency_id, outcomes)
    return outcomes


_UNMAPPED_ACTOR = (
    "the actor is not mapped to a practitioner; map its identity with "
    "PUT /xapi-mappings/actors/{practitioner_id}"
)
_NOT_EVIDENCE = "this statement is not an attempt or review under the activity's mapping"


async def _practitioners(
    conn: Connection, agency_id: str, statements: Sequence[JsonObject]
) -> dict[UUID, str]:
    identities = {}
    for statement in statements:
        actor = statement.get("actor")
        if isinstance(actor, Mapping) and actor.get("objectType", "Agent") == "Agent":
            identity = agent_identity(actor)
            if identity is not None:
                identities[UUID(str(statement["id"]))] = identity
    by_key = await mapping_store.practitioners_by_identity(
        conn, agency_id, sorted({i.key for i in identities.values()})
    )
    home_pages = set(await mapping_store.account_home_pages(conn, agency_id))
    found: dict[UUID, str] = {}
    for statement_id, identity in identities.items():
        if identity.key in by_key:
            found[statement_id] = by_key[identity.key]
        elif identity.kind == "account" and identity.home_page in home_pages:
            found[statement_id] = identity.value
    return found


def _au_key(item: _Work) -> tuple[UUID, str] | None:
    reg = registration(item.statement)
    if item.mapping.kind is not MappingKind.MODULE or reg is None:
        return None
    return reg, item.mapping.activity_id


async def _au_progress(
    conn: Connection,
    agency_id: str,
    item: _Work,
    batch_ids: Sequence[UUID],
    progress: dict[tuple[UUID, str], AuProgress],
) -> AuProgress | None:
    """The AU's progress in the Statement's registration, loaded once per batch."""
    if item.mapping.kind is not MappingKind.MODULE:
        return None
    key = _au_key(item)
    if key is None:
        return AuProgress()  # no registration: the Statement is judged on its own
    if key not in progress:
        # the learner's lock first: a concurrent batch cannot satisfy the same AU meanwhile
        await lock_learner(conn, agency_id, item.practitioner_id)
        loaded = AuProgress(satisfied=await mapping_store.au_satisfied(conn, agency_id, *key))
        for earlier in await mapping_store.au_history(conn, agency_id, *key, batch_ids):
            loaded.add(earlier)
        progress[key] = loaded
    return progress[key]


async def _record(
    runtime: Runtime,
    conn: Connection,
    agency_id: str,
    actor: str,
    item: _Work,
    evidence: Evidence,
) -> StatementOutcome:
    source = str(item.statement["id"])
    try:
        async with conn.transaction():  # a refused Statement leaves the batch usable
            if isinstance(evidence, AttemptEvidence):
                if evidence.scaled_score < 0:
                    raise _Refused("a negative scaled score is not an assessment result")
                attempt = RecordAttempt(
                    practitioner_id=item.practitioner_id,
                    module_id=evidence.module_id,
                    scaled_score=evidence.scaled_score,
                    attempted_at=evidence.attempted_at,
                )
                attempted = await record_attempt(
                    runtime, conn, agency_id, actor, attempt, source_statement_id=source
                )
                record_id, detail = (
                    attempted.record.id,
                    f"assessment attempt on {attempt.module_id}",
                )
            else:
                review = RecordReview(
                    practitioner_id=item.practitioner_id,
                    concept_id=evidence.concept_id,
                    rating=ReviewOutcome(evidence.rating) if evidence.rating else None,
                    scaled_score=evidence.scaled_score,
                    reviewed_at=evidence.reviewed_at,
                )
                reviewed = await record_review(
                    runtime, conn, agency_id, actor, review, source_statement_id=source
                )
                record_id, detail = reviewed.record.id, f"review of {review.concept_id}"
    except (LearningDomainError, Problem, ValidationError, _Refused) as error:
        return _skipped(item.statement, item.practitioner_id, _reason(error))
    return StatementOutcome(item.statement_id, item.practitioner_id, "recorded", detail, record_id)


class _Refused(Exception):
    pass


def _reason(error: Exception) -> str:
    if isinstance(error, Problem):
        return error.detail
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        return f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
    return str(error)


def _skipped(statement: JsonObject, practitioner_id: str | None, reason: str) -> StatementOutcome:
    return StatementOutcome(UUID(str(statement["id"])), practitioner_id, "skipped", reason)
