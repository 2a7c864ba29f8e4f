"""The Open Badges 3.0 ``AchievementCredential`` of a certification level (pure).

The credential a practitioner carries to another employer: issued by the agency (a
``Profile`` whose id is the agency's ``did:web``), about a recipient known only by a
salted hash of the agency's id for them (``IdentityObject``, hashed), for the level as
an ``Achievement`` with its criteria in words, with an evidence summary, validity dates
and a ``BitstringStatusListEntry`` pointing at the agency's status list. It is secured
as a VC-JOSE JWT (``adapters/credential_signing.py``); nothing here signs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from services.certification.domain.criteria import EvidenceSummary

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_SCHEMA = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)


@dataclass(frozen=True)
class Issuer:
    """The agency as an issuer: its did:web, name, home page."""

    did: str
    name: str
    url: str


@dataclass(frozen=True)
class CredentialFacts:
    """Everything a credential states, gathered by the handler that issues it."""

    credential_url: str  # the credential's id: a URL under the service's public base
    issuer: Issuer
    achievement_url: str
    level_key: str
    level_title: str
    policy_title: str
    policy_version: int
    criteria: str
    identity_hash: str
    salt: str
    evidence: Sequence[EvidenceSummary]
    valid_from: date
    valid_until: date | None
    awarded_on: date
    status_list_url: str
    status_index: int


def hashed_identity(identifier: str, salt: str) -> str:
    """``sha256$`` + hex(sha256(identifier + salt)), the spec's IdentityHash form."""
    return "sha256$" + hashlib.sha256((identifier + salt).encode()).hexdigest()


def start_of(day: date) -> str:
    return _iso(datetime.combine(day, time.min))


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def valid_until(awarded_on: date, lapse_days: int | None) -> date | None:
    """The day after the policy's lapse window counted from the award, if the policy has one.

    The lapse rule lets a level stand at most ``lapse_days`` without a new qualifying
    observation, so the issuer vouches for no longer than that from the award; an
    earlier lapse or a revocation shows on the status list.
    """
    return None if lapse_days is None else awarded_on + timedelta(days=lapse_days + 1)


def achievement_credential(facts: CredentialFacts) -> dict[str, Any]:
    """The unsigned credential as JSON (VCDM 2.0 with the OB 3.0 context)."""
    credential: dict[str, Any] = {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": facts.credential_url,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"{facts.level_title} ({facts.issuer.name})",
        "issuer": {
            "id": facts.issuer.did,
            "type": ["Profile"],
            "name": facts.issuer.name,
            "url": facts.issuer.url,
        },
        "validFrom": start_of(facts.valid_from),
        "awardedDate": start_of(facts.awarded_on),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "hashed": True,
                    "identityHash": facts.identity_hash,
                    "identityType": "identifier",
                    "salt": facts.salt,
                }
            ],
            "achievement": {
                "id": facts.achievement_url,
                "type": ["Achievement"],
                "achievementType": "Certification",
                "name": facts.level_title,
                "description": (
                    f"{facts.level_title}: demonstrated competence in MiiWrap (Wraparound) "
                    f"practice under {facts.policy_title or 'the certification policy'}, "
                    f"version {facts.policy_version}."
                ),
                "criteria": {"narrative": facts.criteria},
                "version": str(facts.policy_version),
                "creator": {"id": facts.issuer.did, "type": ["Profile"]},
            },
        },
        "evidence": [
            {
                "type": ["Evidence"],
                "name": summary.requirement,
                "genre": ", ".join(summary.kinds),
                "description": (
                    f"{summary.count} {'record' if summary.count == 1 else 'records'} "
                    f"({', '.join(summary.kinds)}), the latest dated {summary.latest_on}."
                ),
            }
            for summary in facts.evidence
        ],
        "credentialStatus": {
            "id": f"{facts.status_list_url}#{facts.status_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(facts.status_index),
            "statusListCredential": facts.status_list_url,
        },
        "credentialSchema": [{"id": OB_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}],
    }
    if facts.valid_until is not None:
        credential["validUntil"] = start_of(facts.valid_until)
    return credential
