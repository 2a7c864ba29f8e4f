"""Revoking and reinstating a certification: an agency admin's decision, with a reason.

The decision enters the evidence (so the fold, the history and a rebuild all see it)
and the fold publishes `certification_revoked` / `certification_reinstated` carrying
the admin's reason. A revocation of no level in particular covers every level held
(certified or at risk) on its date; revoking when no named level is held is a 409.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from services.certification.adapters import evidence_rows, locks, policy_rows
from services.certification.domain.evaluate import evaluate
from services.certification.domain.evidence import (
    CertificationReinstated,
    CertificationRevoked,
)
from services.certification.domain.transitions import HELD, CertificationStatus
from services.certification.handlers.evaluation import Evaluated
from services.certification.handlers.intake import receive_evidence
from shared.auth import Principal
from shared.database import Connection
from shared.eventstore import EventStore
from shared.problems import Conflict, NotFound, Unprocessable
from shared.service import Runtime


@dataclass(frozen=True)
class AdminDecision:
    practitioner_id: str
    level: str | None
    reason: str
    effective_on: date


async def decide(
    runtime: Runtime,
    principal: Principal,
    decision: AdminDecision,
    *,
    revoke: bool,
    today: date,
) -> Evaluated:
    """Record an admin's revocation or reinstatement and re-evaluate, in one transaction."""
    async with runtime.store.transaction() as conn:
        return await _decide_in(
            conn, runtime.store, principal, decision, revoke=revoke, today=today
        )


async def _decide_in(
    conn: Connection,
    store: EventStore,
    principal: Principal,
    decision: AdminDecision,
    *,
    revoke: bool,
    today: date,
) -> Evaluated:
    agency_id, practitioner_id = principal.agency_id, decision.practitioner_id
    await locks.share_agency(conn, agency_id)
    await locks.own_practitioners(conn, agency_id, [practitioner_id])
    if await evidence_rows.roster_entry(conn, agency_id, practitioner_id) is None:
        raise NotFound(f"no practitioner {practitioner_id} on this agency's roster")
    policy = await policy_rows.adopted_policy(conn, agency_id)
    keys = [level.key for level in policy.levels]
    if decision.level is not None and decision.level not in keys:
        raise Unprocessable(
            f"level {decision.level!r} is not in policy {policy.id} v{policy.version}; "
            f"use one of {', '.join(keys)} or leave it out for every level"
        )
    evidence = await evidence_rows.evidence_set(conn, agency_id, practitioner_id)
    state = evaluate(policy, evidence, decision.effective_on)
    targets = [decision.level] if decision.level else keys
    revoked = [key for key in targets if state.level(key).status is CertificationStatus.REVOKED]
    held = [key for key in targets if state.level(key).status in HELD]
    if revoke and not held:
        if len(revoked) == len(targets):
            raise Conflict(f"{', '.join(targets)} already revoked on {decision.effective_on}")
        statuses = ", ".join(
            f"{key} is {state.level(key).status.value.replace('_', ' ')}" for key in targets
        )
        raise Conflict(
            f"nothing to revoke on {decision.effective_on}: {statuses}; only a held level "
            "(certified or at risk) can be revoked"
        )
    if not revoke and not revoked:
        raise Conflict(
            f"nothing to reinstate: {', '.join(targets)} not revoked on {decision.effective_on}"
        )
    fields = {
        "event_id": str(uuid.uuid4()),
        "practitioner_id": practitioner_id,
        "occurred_on": decision.effective_on,
        "admin_id": principal.subject,
        "reason": decision.reason,
        "level_key": decision.level,
    }
    item = CertificationRevoked(**fields) if revoke else CertificationReinstated(**fields)
    evaluated = await receive_evidence(
        conn,
        store,
        agency_id,
        item,
        source="certification",
        source_type="org.miiwrap.certification.admin_decision.v1",
        today=today,
        actor=principal.actor,
    )
    assert evaluated is not None  # a fresh id on a registered practitioner
    return evaluated
