"""Issuing and revoking portable credentials as certification transitions are published.

``follow_publication`` runs inside the transaction that appended the ``certification_*``
events (``handlers/evaluation.py``), so a credential is issued or revoked exactly when
its transition is published — never while an import window holds publication — and
commits with it. Credential events go on the practitioner's credential stream and out
through the outbox like every published event.

The service's credential settings are registered per event store at start-up
(``enable_credentials``): the evaluation code that publishes transitions receives the
store, not the runtime, and a service without a public URL issues nothing.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from weakref import WeakKeyDictionary

from services.certification.adapters import credential_keys, credential_rows
from services.certification.adapters.agency_rows import find_agency
from services.certification.adapters.credential_signing import sign_credential
from services.certification.adapters.projector import project
from services.certification.domain.achievement_credential import (
    CredentialFacts,
    Issuer,
    achievement_credential,
    hashed_identity,
    valid_until,
)
from services.certification.domain.credential_events import (
    CredentialIssued,
    CredentialStatusChanged,
)
from services.certification.domain.credential_plan import (
    IssueCredential,
    PublishedTransition,
    RevokeCredential,
    plan_credentials,
)
from services.certification.domain.credential_urls import IssuerUrls
from services.certification.domain.criteria import criteria_narrative, evidence_summary
from services.certification.domain.events import TRANSITION_EVENT_NAMES
from services.certification.domain.evidence import EvidenceSet
from services.certification.domain.policy import Policy
from services.certification.domain.state import RequirementResult
from services.certification.domain.status_list import status_index
from shared.database import Connection
from shared.events import PendingEvent, StoredEvent
from shared.eventstore import EventStore
from shared.naming import stream_id
from shared.practice_time import as_practice_datetime


@dataclass(frozen=True)
class CredentialSettings:
    base_url: str
    key_secret: str | None


_ENABLED: WeakKeyDictionary[EventStore, CredentialSettings] = WeakKeyDictionary()


def enable_credentials(store: EventStore, settings: CredentialSettings) -> None:
    _ENABLED[store] = settings


def credential_settings(store: EventStore) -> CredentialSettings | None:
    return _ENABLED.get(store)


def credential_stream(agency_id: str, practitioner_id: str) -> str:
    return stream_id("credential", agency_id, practitioner_id)


def published_transition(event: StoredEvent) -> PublishedTransition:
    data = event.data
    true_on = data.get("true_effective_on") or data["effective_on"]
    return PublishedTransition(
        event_id=str(event.event_id),
        level=data["level"],
        kind=event.name.removeprefix("certification_"),
        to_status=data["to_status"],
        effective_on=date.fromisoformat(data["effective_on"]),
        true_effective_on=date.fromisoformat(true_on),
        corrects=tuple(data.get("corrects") or ()),
    )


async def follow_publication(
    conn: Connection,
    store: EventStore,
    agency_id: str,
    evidence: EvidenceSet,
    policy: Policy,
    published: Sequence[StoredEvent],
    today: date,
) -> list[StoredEvent]:
    """Issue and revoke the practitioner's credentials to match the transitions just published."""
    settings = credential_settings(store)
    transitions = {str(e.event_id): e for e in published if e.name in TRANSITION_EVENT_NAMES}
    if settings is None or not transitions:
        return []
    practitioner_id = evidence.practitioner_id
    active = await credential_rows.active_by_level(conn, agency_id, practitioner_id)
    actions = plan_credentials([published_transition(e) for e in transitions.values()], active)
    if not actions:
        return []
    urls = IssuerUrls(settings.base_url, agency_id)
    issued_here: dict[str, CredentialIssued] = {}
    issued_count = 0
    pending: list[PendingEvent] = []
    for action in actions:
        transition = action.transition
        event: CredentialIssued | CredentialStatusChanged
        if isinstance(action, IssueCredential):
            issued = await credential_rows.issued_count(conn, agency_id) + issued_count
            source = transitions[transition.event_id]
            event = await _issue(
                conn, settings, urls, policy, evidence, source, status_index(issued), today
            )
            issued_here[transition.level] = event
            issued_count += 1
        else:
            event = await _revocation(conn, urls, practitioner_id, action, issued_here)
        pending.append(
            PendingEvent(
                event=event,
                agency_id=agency_id,
                subject=practitioner_id,
                occurred_at=as_practice_datetime(transition.effective_on),
                actor=f"{agency_id}/certification",
            )
        )
    stored = await store.append(
        conn, credential_stream(agency_id, practitioner_id), pending, expected_version=None
    )
    await project(conn, stored)
    return stored


async def _issue(
    conn: Connection,
    settings: CredentialSettings,
    urls: IssuerUrls,
    policy: Policy,
    evidence: EvidenceSet,
    event: StoredEvent,
    index: int,
    today: date,
) -> CredentialIssued:
    data = event.data
    level = policy.level(data["level"])
    key = await credential_keys.active_key(conn, urls.agency_id, settings.key_secret)
    agency = await find_agency(conn, urls.agency_id)
    issuer = Issuer(
        did=urls.did,
        name=agency["name"] if agency else urls.agency_id,
        url=(agency["url"] if agency and agency["url"] else urls.home),
    )
    credential_id = str(uuid.uuid4())
    salt = secrets.token_hex(16)
    transition = published_transition(event)
    lapse = level.maintenance.lapse.no_qualifying_for_days if level.maintenance else None
    requirements = [
        RequirementResult.model_validate(r) for r in data["explanation"]["requirements"]
    ]
    facts = CredentialFacts(
        credential_url=urls.credential(credential_id),
        issuer=issuer,
        achievement_url=urls.achievement(level.key),
        level_key=level.key,
        level_title=level.title,
        policy_title=policy.title,
        policy_version=policy.version,
        criteria=criteria_narrative(policy, level),
        identity_hash=hashed_identity(evidence.practitioner_id, salt),
        salt=salt,
        evidence=evidence_summary(requirements, evidence, level),
        valid_from=transition.true_effective_on,
        valid_until=valid_until(max(transition.true_effective_on, today), lapse),
        awarded_on=transition.effective_on,
        status_list_url=urls.status_list,
        status_index=index,
    )
    credential = achievement_credential(facts)
    return CredentialIssued(
        credential_id=credential_id,
        credential_url=facts.credential_url,
        practitioner_id=evidence.practitioner_id,
        level=level.key,
        level_title=level.title,
        policy_id=policy.id,
        policy_version=policy.version,
        valid_from=facts.valid_from,
        valid_until=facts.valid_until,
        status_list_url=urls.status_list,
        status_index=index,
        key_id=f"{urls.did}#{key.kid}",
        transition_event_id=transition.event_id,
        jwt=sign_credential(credential, key, urls.did),
    )


async def _revocation(
    conn: Connection,
    urls: IssuerUrls,
    practitioner_id: str,
    action: RevokeCredential,
    issued_here: dict[str, CredentialIssued],
) -> CredentialStatusChanged:
    transition = action.transition
    if action.credential_id is None:
        issued = issued_here[transition.level]
        credential_id, index = issued.credential_id, issued.status_index
    else:
        row = await credential_rows.credential(conn, action.credential_id)
        assert row is not None
        credential_id, index = action.credential_id, int(row["status_index"])
    return CredentialStatusChanged(
        credential_id=credential_id,
        practitioner_id=practitioner_id,
        level=transition.level,
        status="revoked",
        reason=action.reason,
        effective_on=transition.effective_on,
        status_list_url=urls.status_list,
        status_index=index,
        transition_event_id=transition.event_id,
    )
