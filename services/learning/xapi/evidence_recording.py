"""Turning stored Statements into learning events, inside the batch's transaction.

Every new Statement gets an outcome row (`mapping_store.StatementOutcome`):

- `recorded`: it became an attempt or a review (its id in `record_id`);
- `skipped`, with the reason: it can never be evidence as it is (its Object is not an
  Activity, it is no attempt or review under the Activity's mapping, the learning
  rules refuse it — dated in the future, before enrollment…, or it was voided);
- `pending`, with what it waits for: a mapping of its Activity (`mapping`), its
  actor's identity or the practitioner's enrollment (`learner`), or the learner's
  `completed` / `passed` partner within the combining window (`partner`).

Pending Statements are judged again (`reevaluate_pending`) when an Activity mapping is
created or changed, an actor identity or account homePage is mapped, or a practitioner
is enrolled. A Statement on a mapped Activity by a resolved learner is judged by
`evidence` (`evidence_for` in a cmi5 registration, `module_evidence` outside one) and
handed to the learning use cases (`record_attempt`, `record_review`), which append
`assessment_attempted` / `module_mastered` / `concept_reviewed` with the Statement id as
`source_statement_id`. Voiding a recorded Statement retracts its evidence
(`retract_voided`, through the learning service's `evidence_retracted`).

Work is ordered by practitioner, then practice time: each learner's lock is taken in
the same order by every batch (no deadlocks), and history is applied as it happened.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from uuid import UUID

from pydantic import ValidationError

from services.learning.adapters.learner_stream import lock_learner
from services.learning.domain.errors import (
    LearningDomainError,
    NotEnrolledError,
    PractitionerNotEnrolledError,
)
from services.learning.domain.review import ReviewOutcome
from services.learning.handlers import record_attempt, record_review, retract_statement_evidence
from services.learning.models.commands import RecordAttempt, RecordReview
from shared.database import Connection
from shared.problems import Problem
from shared.roster import NotOnRoster
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
    cmi5_registration,
    evidence_for,
    may_combine,
    module_evidence,
    object_activity_id,
    practice_time,
)
from .formats import parse_timestamp
from .matching import verb_id
from .structure import JsonObject

DEFAULT_COMBINE_WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class _Work:
    practitioner_id: str
    statement: JsonObject
    mapping: ActivityMapping
    identity_key: str | None

    @property
    def statement_id(self) -> UUID:
        return UUID(str(self.statement["id"]))


def combine_window(runtime: Runtime) -> timedelta:
    hours = getattr(runtime.settings, "xapi_combine_window_hours", None)
    return DEFAULT_COMBINE_WINDOW if hours is None else timedelta(hours=float(hours))


async def record_evidence(
    runtime: Runtime,
    conn: Connection,
    agency_id: str,
    actor: str,
    statements: Sequence[JsonObject],
) -> list[StatementOutcome]:
    """Record what these (new, non-voided, or pending) Statements stand for, and save
    every one's outcome (replacing the one a pending Statement had)."""
    outcomes: list[StatementOutcome] = []
    on_activity: list[tuple[JsonObject, str]] = []
    for statement in statements:
        activity_id = object_activity_id(statement)
        if activity_id is None:
            outcomes.append(_not_an_activity(statement))
        else:
            on_activity.append((statement, activity_id))
    mappings = await mapping_store.activity_mappings(
        conn, agency_id, sorted({a for _, a in on_activity})
    )
    identities = _identities(statements)
    practitioners = await _practitioners(conn, agency_id, identities)
    work: list[_Work] = []
    for statement, activity_id in on_activity:
        statement_id = UUID(str(statement["id"]))
        identity_key = identities.get(statement_id)
        practitioner_id = practitioners.get(statement_id)
        if activity_id not in mappings:
            outcomes.append(
                _outcome(
                    statement,
                    practitioner_id,
                    "pending",
                    "mapping",
                    f"waiting for a mapping of Activity {activity_id!r}: "
                    "PUT /xapi-mappings/activities/{URL-encoded Activity id}",
                    identity_key=identity_key,
                )
            )
        elif practitioner_id is None:
            outcomes.append(
                _outcome(
                    statement,
                    None,
                    "pending",
                    "learner",
                    _UNMAPPED_ACTOR,
                    identity_key=identity_key,
                )
            )
        else:
            work.append(_Work(practitioner_id, statement, mappings[activity_id], identity_key))
    await mapping_store.save_outcomes(conn, agency_id, outcomes)
    work.sort(key=lambda w: (w.practitioner_id, practice_time(w.statement)))
    batch_ids = [UUID(str(s["id"])) for s in statements]
    progress: dict[tuple[UUID, str], AuProgress] = {}
    consumed: set[str] = set()
    window = combine_window(runtime)
    for item in work:
        if str(item.statement["id"]) in consumed:
            continue  # combined into an attempt by a partner judged earlier in this run
        outcome = await _judge(
            runtime, conn, agency_id, actor, item, batch_ids, progress, consumed, window
        )
        await mapping_store.save_outcomes(conn, agency_id, [outcome])
        outcomes.append(outcome)
    return outcomes


async def _judge(
    runtime: Runtime,
    conn: Connection,
    agency_id: str,
    actor: str,
    item: _Work,
    batch_ids: Sequence[UUID],
    progress: dict[tuple[UUID, str], AuProgress],
    consumed: set[str],
    window: timedelta,
) -> StatementOutcome:
    mapping = item.mapping
    reg = cmi5_registration(item.statement) if mapping.kind is MappingKind.MODULE else None
    combined: tuple[str, ...] = ()
    if mapping.kind is MappingKind.MODULE and reg is None:
        await lock_learner(conn, agency_id, item.practitioner_id)
        partners: Sequence[JsonObject] = []
        if may_combine(item.statement):
            partners = await mapping_store.waiting_partners(
                conn,
                agency_id,
                item.practitioner_id,
                mapping.activity_id,
                practice_time(item.statement),
                window,
                item.statement_id,
            )
        judgement = module_evidence(item.statement, mapping, partners)
        if judgement.evidence is None:
            if judgement.waiting is not None:
                return _work_outcome(item, "pending", "partner", judgement.waiting)
            return _work_outcome(item, "skipped", "not-evidence", _NOT_EVIDENCE)
        evidence: Evidence = judgement.evidence
        combined = judgement.combined_with
        outcome = await _record(runtime, conn, agency_id, actor, item, evidence)
        if outcome.outcome == "recorded" and combined:
            consumed.update(combined)
            await _mark_combined(conn, agency_id, item, outcome, combined)
        return outcome
    au = await _au_progress(conn, agency_id, item, reg, batch_ids, progress)
    was_satisfied = au is not None and au.satisfied
    found = evidence_for(item.statement, mapping, au)
    if found is None:
        return _work_outcome(item, "skipped", "not-evidence", _NOT_EVIDENCE)
    outcome = await _record(runtime, conn, agency_id, actor, item, found)
    if au is not None and au.satisfied and not was_satisfied:
        if outcome.outcome != "recorded":
            au.satisfied = False  # refused: a later Statement may still satisfy the AU
        elif reg is not None:
            await mapping_store.record_au_satisfaction(
                conn, agency_id, reg, mapping.activity_id, item.statement_id
            )
    return outcome


async def _mark_combined(
    conn: Connection,
    agency_id: str,
    item: _Work,
    outcome: StatementOutcome,
    combined: Sequence[str],
) -> None:
    found = await mapping_store.outcomes_of(conn, agency_id, [UUID(c) for c in combined])
    await mapping_store.save_outcomes(
        conn,
        agency_id,
        [
            replace(
                partner,
                outcome="recorded",
                reason_code=None,
                record_id=outcome.record_id,
                detail=f"{outcome.detail}, combined with statement {item.statement_id}",
            )
            for partner in found.values()
        ],
    )


async def reevaluate_pending(
    runtime: Runtime,
    conn: Connection,
    agency_id: str,
    *,
    practitioner_id: str | None = None,
    identity_keys: Sequence[str] = (),
    activity_id: str | None = None,
    home_page: str | None = None,
) -> list[StatementOutcome]:
    """Judge again the pending Statements a change may resolve (a mapping change also
    re-judges the Activity's Statements skipped as no evidence under the old mapping)."""
    pending = await mapping_store.pending_statements(
        conn,
        agency_id,
        practitioner_id=practitioner_id,
        identity_keys=identity_keys,
        activity_id=activity_id,
        home_page=home_page,
        also_not_evidence=activity_id is not None,
    )
    outcomes: list[StatementOutcome] = []
    by_credential: dict[str, list[JsonObject]] = {}
    for found in pending:
        by_credential.setdefault(found.credential_key, []).append(found.document)
    for credential_key, documents in sorted(by_credential.items()):
        outcomes += await record_evidence(
            runtime, conn, agency_id, f"{agency_id}/{credential_key}", documents
        )
    return outcomes


async def reevaluate_for_practitioner(
    runtime: Runtime, conn: Connection, agency_id: str, practitioner_id: str
) -> list[StatementOutcome]:
    """After an enrollment: the practitioner's pending Statements (by resolved learner,
    mapped identity or account name on a declared homePage)."""
    identities = await mapping_store.identities_by_practitioner(conn, agency_id, practitioner_id)
    keys = [
        identity.key
        for agent in identities.get(practitioner_id, [])
        if (identity := agent_identity(agent)) is not None
    ]
    for home_page in await mapping_store.account_home_pages(conn, agency_id):
        account = {"account": {"homePage": home_page, "name": practitioner_id}}
        identity = agent_identity(account)
        if identity is not None:
            keys.append(identity.key)
    return await reevaluate_pending(
        runtime, conn, agency_id, practitioner_id=practitioner_id, identity_keys=keys
    )


def voided_outcome(statement: JsonObject, by: str) -> StatementOutcome:
    """A new Statement voided in its own batch (or by a voiding Statement stored before)."""
    return _outcome(
        statement, None, "skipped", "voided", f"voided by {by}: a voided Statement is no evidence"
    )


async def retract_voided(
    runtime: Runtime,
    conn: Connection,
    agency_id: str,
    actor: str,
    voided: Mapping[UUID, JsonObject],
) -> None:
    """The Statements `voided` (id → the voiding Statement) stop being evidence: a
    recorded one's attempt or review is retracted (and a partner it was combined with
    waits again); any other outcome becomes `skipped` (voided)."""
    if not voided:
        return
    found = await mapping_store.outcomes_of(conn, agency_id, sorted(voided))
    updates: list[StatementOutcome] = []
    for statement_id in sorted(voided):
        voiding = voided[statement_id]
        by = str(voiding["id"])
        outcome = found.get(statement_id)
        if outcome is None:
            continue
        detail = f"voided by statement {by}"
        if outcome.outcome == "recorded" and outcome.practitioner_id and outcome.record_id:
            retracted = await retract_statement_evidence(
                runtime,
                conn,
                agency_id,
                actor,
                practitioner_id=outcome.practitioner_id,
                source_statement_id=await _source_of(conn, agency_id, outcome),
                voiding_statement_id=by,
                retracted_at=parse_timestamp(str(voiding.get("timestamp") or voiding["stored"])),
            )
            if retracted is not None:
                detail += f"; its {outcome.detail.split(',')[0]} was retracted (evidence_retracted)"
            for partner in await mapping_store.outcomes_of_record(
                conn, agency_id, outcome.record_id
            ):
                if partner.statement_id != statement_id and partner.statement_id not in voided:
                    updates.append(
                        replace(
                            partner,
                            outcome="pending",
                            reason_code="partner",
                            record_id=None,
                            detail=f"the statement it was combined with ({statement_id}) was "
                            "voided; waiting for a partner statement again",
                        )
                    )
        updates.append(replace(outcome, outcome="skipped", reason_code="voided", detail=detail))
    await mapping_store.save_outcomes(conn, agency_id, updates)


async def _source_of(conn: Connection, agency_id: str, outcome: StatementOutcome) -> str:
    """The Statement id the learning events name: a combined attempt is sourced from the
    Statement that completed the pair, whichever of the two was voided."""
    assert outcome.record_id is not None
    source = await conn.fetchval(
        "SELECT source_statement_id FROM attempts WHERE agency_id = $1 AND attempt_id = $2",
        agency_id,
        outcome.record_id,
    )
    if source is None:
        source = await conn.fetchval(
            "SELECT source_statement_id FROM concept_reviews WHERE agency_id = $1"
            " AND review_id = $2",
            agency_id,
            outcome.record_id,
        )
    return str(source) if source is not None else str(outcome.statement_id)


_UNMAPPED_ACTOR = (
    "waiting for the actor to be mapped to a practitioner: map its identity with "
    "PUT /xapi-mappings/actors/{practitioner_id}, or declare its account homePage with "
    "PUT /xapi-mappings/account-home-pages/{homePage}"
)
_NOT_EVIDENCE = "this statement is not an attempt or review under the activity's mapping"


def _identities(statements: Sequence[JsonObject]) -> dict[UUID, str]:
    found: dict[UUID, str] = {}
    for statement in statements:
        actor = statement.get("actor")
        if isinstance(actor, Mapping) and actor.get("objectType", "Agent") == "Agent":
            identity = agent_identity(actor)
            if identity is not None:
                found[UUID(str(statement["id"]))] = identity.key
    return found


async def _practitioners(
    conn: Connection, agency_id: str, identities: Mapping[UUID, str]
) -> dict[UUID, str]:
    by_key = await mapping_store.practitioners_by_identity(
        conn, agency_id, sorted(set(identities.values()))
    )
    home_pages = set(await mapping_store.account_home_pages(conn, agency_id))
    found: dict[UUID, str] = {}
    for statement_id, key in identities.items():
        if key in by_key:
            found[statement_id] = by_key[key]
            continue
        kind, home_page, value = _parts(key)
        if kind == "account" and home_page in home_pages:
            found[statement_id] = value
    return found


def _parts(key: str) -> tuple[str, str | None, str]:
    kind, home_page, value = json.loads(key)
    return str(kind), home_page, str(value)


async def _au_progress(
    conn: Connection,
    agency_id: str,
    item: _Work,
    reg: UUID | None,
    batch_ids: Sequence[UUID],
    progress: dict[tuple[UUID, str], AuProgress],
) -> AuProgress | None:
    """The AU's progress in the Statement's cmi5 registration, loaded once per batch."""
    if item.mapping.kind is not MappingKind.MODULE or reg is None:
        return None
    key = (reg, item.mapping.activity_id)
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
    except (NotEnrolledError, PractitionerNotEnrolledError):
        return _work_outcome(
            item,
            "pending",
            "learner",
            f"waiting for practitioner {item.practitioner_id!r} to be enrolled "
            "(POST /enrollments); it counts from then",
        )
    except NotOnRoster:
        return _work_outcome(
            item,
            "pending",
            "learner",
            f"waiting for practitioner {item.practitioner_id!r} to be on the agency's roster "
            "on the statement's date (registered at certification, POST /practitioners); "
            "it counts from then",
        )
    except (LearningDomainError, Problem, ValidationError, _Refused) as error:
        return _work_outcome(item, "skipped", "refused", _reason(error))
    return replace(_work_outcome(item, "recorded", None, detail), record_id=record_id)


class _Refused(Exception):
    pass


def _reason(error: Exception) -> str:
    if isinstance(error, Problem):
        return error.detail
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        return f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
    return str(error)


def _outcome(
    statement: JsonObject,
    practitioner_id: str | None,
    outcome: str,
    reason_code: str | None,
    detail: str,
    *,
    identity_key: str | None = None,
) -> StatementOutcome:
    return StatementOutcome(
        UUID(str(statement["id"])),
        practitioner_id,
        outcome,
        detail,
        reason_code=reason_code,
        activity_id=object_activity_id(statement),
        identity_key=identity_key,
        practised_at=practice_time(statement),
    )


def _work_outcome(
    item: _Work, outcome: str, reason_code: str | None, detail: str
) -> StatementOutcome:
    return _outcome(
        item.statement,
        item.practitioner_id,
        outcome,
        reason_code,
        detail,
        identity_key=item.identity_key,
    )


def _not_an_activity(statement: JsonObject) -> StatementOutcome:
    statement_object = statement.get("object")
    kind = (
        statement_object.get("objectType", "Activity")
        if isinstance(statement_object, Mapping)
        else "?"
    )
    detail = (
        "a voiding statement is not evidence itself"
        if verb_id(statement) == "http://adlnet.gov/expapi/verbs/voided"
        else f"its Object is a {kind}, not an Activity; only Statements about a mapped "
        "Activity become evidence"
    )
    return _outcome(statement, None, "skipped", "not-an-activity", detail)
