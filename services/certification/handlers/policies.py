"""Policy versions as data: create a version from JSON, adopt it, keep the history.

Adopting a version re-evaluates every practitioner of the agency under it, in the
same transaction, and publishes what changes (corrections included: the whole
history is read under the adopted policy).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.certification.adapters import evidence_rows, locks, policy_rows
from services.certification.adapters.projector import project
from services.certification.domain.events import PolicyAdopted, PolicyVersionCreated
from services.certification.domain.policy import Policy
from services.certification.handlers.evaluation import refresh_many
from shared.auth import Principal
from shared.database import Connection
from shared.events import PendingEvent
from shared.eventstore import EventStore
from shared.naming import stream_id
from shared.practice_time import as_practice_datetime
from shared.problems import Conflict, NotFound
from shared.service import Runtime


def policy_stream(agency_id: str) -> str:
    return stream_id("policy", agency_id)


async def create_policy_version(
    runtime: Runtime, principal: Principal, policy: Policy, today: date
) -> bool:
    """Store ``policy`` for the agency; False when the identical version already exists."""
    async with runtime.store.transaction() as conn:
        return await _create_in(conn, runtime.store, principal, policy, today)


async def _create_in(
    conn: Connection, store: EventStore, principal: Principal, policy: Policy, today: date
) -> bool:
    agency_id = principal.agency_id
    await locks.share_agency(conn, agency_id)
    await locks.own_policies(conn, agency_id)
    known = await policy_rows.policy_version(conn, agency_id, policy.id, policy.version)
    if known is not None:
        if known != policy:
            raise Conflict(
                f"policy {policy.id} v{policy.version} already exists with other content; "
                "versions are immutable: create the next version instead"
            )
        return False
    stored = await store.append(
        conn,
        policy_stream(agency_id),
        [
            PendingEvent(
                event=PolicyVersionCreated(
                    policy_id=policy.id,
                    policy_version=policy.version,
                    policy=policy.model_dump(mode="json"),
                ),
                agency_id=agency_id,
                occurred_at=as_practice_datetime(today),
                actor=principal.actor,
            )
        ],
        expected_version=None,
    )
    await project(conn, stored)
    return True


@dataclass(frozen=True)
class AdoptionOutcome:
    adoption: policy_rows.Adoption
    practitioners_evaluated: int
    transitions_published: int


async def adopt_policy(
    runtime: Runtime, principal: Principal, policy_id: str, version: int, today: date
) -> AdoptionOutcome:
    """Adopt a version and re-evaluate every practitioner under it, in one transaction."""
    async with runtime.store.transaction() as conn:
        return await _adopt_in(conn, runtime.store, principal, policy_id, version, today)


async def _adopt_in(
    conn: Connection,
    store: EventStore,
    principal: Principal,
    policy_id: str,
    version: int,
    today: date,
) -> AdoptionOutcome:
    agency_id = principal.agency_id
    await locks.share_agency(conn, agency_id)
    await locks.own_policies(conn, agency_id)
    policy = await policy_rows.policy_version(conn, agency_id, policy_id, version)
    if policy is None:
        raise NotFound(
            f"no policy {policy_id} v{version} in this agency; create it with POST /policies"
        )
    stored = await store.append(
        conn,
        policy_stream(agency_id),
        [
            PendingEvent(
                event=PolicyAdopted(policy_id=policy_id, policy_version=version, adopted_on=today),
                agency_id=agency_id,
                occurred_at=as_practice_datetime(today),
                actor=principal.actor,
            )
        ],
        expected_version=None,
    )
    await project(conn, stored)
    practitioners = await evidence_rows.registered_ids(conn, agency_id)
    await locks.own_practitioners(conn, agency_id, practitioners)
    evidence = await evidence_rows.agency_evidence(conn, agency_id)
    evaluated = await refresh_many(
        conn,
        store,
        agency_id,
        practitioners,
        today,
        policy=policy,
        evidence=evidence,
        actors=dict.fromkeys(practitioners, principal.actor),
    )
    published = sum(len(e.published) for e in evaluated.values())
    return AdoptionOutcome(
        adoption=await policy_rows.current_adoption(conn, agency_id),
        practitioners_evaluated=len(practitioners),
        transitions_published=published,
    )
