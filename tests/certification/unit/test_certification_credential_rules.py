"""Portable credentials, the pure part: which credential a publication issues or revokes,
what the credential says (valid against the 1EdTech schema, no internal id), the status
list's bits and the did:web names."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from services.certification.adapters.badge_image import badge_png, baked_credential
from services.certification.adapters.credential_keys import load_private_key, private_key_pem
from services.certification.domain.achievement_credential import (
    CredentialFacts,
    Issuer,
    achievement_credential,
    hashed_identity,
    valid_until,
)
from services.certification.domain.credential_plan import (
    ActiveCredential,
    IssueCredential,
    PublishedTransition,
    RevokeCredential,
    plan_credentials,
)
from services.certification.domain.credential_urls import IssuerUrls, did_web_url
from services.certification.domain.criteria import criteria_narrative, evidence_summary
from services.certification.domain.evaluate import evaluate
from services.certification.domain.policy import Policy
from services.certification.domain.status_list import (
    LIST_BITS,
    bit_is_set,
    encode_bits,
    status_index,
)
from tests.certification.unit.certification_builders import GRANT_DAY, PractitionerHistory

SCHEMA = Path(__file__).parents[1] / "fixtures" / "ob_v3p0_achievementcredential_schema.json"
DAY = date(2026, 1, 10)


def transition(
    kind: str, to_status: str, event_id: str = "t1", corrects: tuple[str, ...] = ()
) -> PublishedTransition:
    return PublishedTransition(event_id, "facilitator", kind, to_status, DAY, DAY, corrects)


def test_a_grant_issues_a_credential_and_at_risk_leaves_it_valid() -> None:
    assert plan_credentials([transition("granted", "certified")], {}) == [
        IssueCredential(transition("granted", "certified"))
    ]
    active = {"facilitator": ActiveCredential("c1", "t0")}
    # at risk is still held: an employer must not read a coaching signal as "not certified"
    assert plan_credentials([transition("at_risk", "at_risk")], active) == []
    assert plan_credentials([transition("restored", "certified")], active) == []


def test_a_lapse_or_revocation_revokes_and_a_reinstatement_issues_a_new_credential() -> None:
    active = {"facilitator": ActiveCredential("c1", "t0")}
    lapsed = transition("lapsed", "lapsed")
    assert plan_credentials([lapsed], active) == [RevokeCredential("c1", lapsed, "lapsed")]
    revoked, reinstated = transition("revoked", "revoked"), transition("reinstated", "certified")
    assert plan_credentials([revoked, reinstated], active) == [
        RevokeCredential("c1", revoked, "revoked"),
        IssueCredential(reinstated),
    ]


def test_a_grant_moved_by_late_evidence_replaces_the_credential_it_issued() -> None:
    active = {"facilitator": ActiveCredential("c1", "t0")}
    regrant = transition("granted", "certified", event_id="t2", corrects=("t0",))
    assert plan_credentials([regrant], active) == [
        RevokeCredential("c1", regrant, "corrected"),
        IssueCredential(regrant),
    ]


def test_a_grant_and_lapse_in_one_round_issue_then_revoke_the_same_new_credential() -> None:
    granted, lapsed = transition("granted", "certified"), transition("lapsed", "lapsed", "t2")
    assert plan_credentials([granted, lapsed], {}) == [
        IssueCredential(granted),
        RevokeCredential(None, lapsed, "lapsed"),
    ]


def _facts(policy: Policy, history: PractitionerHistory) -> CredentialFacts:
    evidence = history.build()
    level = policy.level("facilitator")
    state = evaluate(policy, evidence, GRANT_DAY).level("facilitator")
    urls = IssuerUrls("https://certs.example.org:8443/miiwrap", "agency-7")
    return CredentialFacts(
        credential_url=urls.credential("0b7c"),
        issuer=Issuer(urls.did, "Riverside Family Services", "https://riverside.example"),
        achievement_url=urls.achievement("facilitator"),
        level_key="facilitator",
        level_title=level.title,
        policy_title=policy.title,
        policy_version=policy.version,
        criteria=criteria_narrative(policy, level),
        identity_hash=hashed_identity(evidence.practitioner_id, "s4lt"),
        salt="s4lt",
        evidence=evidence_summary(state.requirements, evidence, level),
        valid_from=GRANT_DAY,
        valid_until=valid_until(GRANT_DAY, 365),
        awarded_on=GRANT_DAY,
        status_list_url=urls.status_list,
        status_index=status_index(0),
    )


def test_the_credential_validates_against_the_1edtech_schema_and_names_no_internal_id(
    policy: Policy, history: PractitionerHistory
) -> None:
    credential = achievement_credential(_facts(policy, history))
    schema: dict[str, Any] = json.loads(SCHEMA.read_text())
    jsonschema.Draft201909Validator(schema).validate(credential)

    text = json.dumps(credential)
    practitioner = history.build().practitioner_id
    assert practitioner not in text and "obs-" not in text and "coach-1" not in text
    identity = credential["credentialSubject"]["identifier"][0]
    expected = hashlib.sha256(f"{practitioner}s4lt".encode()).hexdigest()
    assert identity["identityHash"] == f"sha256${expected}" and identity["hashed"] is True
    assert credential["validUntil"] == "2026-12-02T00:00:00Z"  # the day after 365 days
    criteria = credential["credentialSubject"]["achievement"]["criteria"]["narrative"]
    assert "At least 2 team meeting fidelity observations" in criteria
    assert "lapses when no qualifying observation is shown for 365 days" in criteria
    kinds = {e["genre"] for e in credential["evidence"]}
    assert {"module mastery", "fidelity observation", "skill rating"} <= kinds


def test_the_schema_refuses_a_credential_without_its_issuer(
    policy: Policy, history: PractitionerHistory
) -> None:
    credential = achievement_credential(_facts(policy, history))
    del credential["issuer"]
    validator = jsonschema.Draft201909Validator(json.loads(SCHEMA.read_text()))
    assert not validator.is_valid(credential)


def test_status_list_bits_round_trip_and_indexes_never_repeat() -> None:
    indexes = [status_index(n) for n in range(2000)]
    assert len(set(indexes)) == len(indexes) and all(0 <= i < LIST_BITS for i in indexes)
    encoded = encode_bits([indexes[3], indexes[7]])
    assert bit_is_set(encoded, indexes[3]) and bit_is_set(encoded, indexes[7])
    assert not bit_is_set(encoded, indexes[4])


def test_an_agency_is_a_did_web_issuer_resolving_under_the_public_url() -> None:
    urls = IssuerUrls("https://certs.example.org:8443/miiwrap", "agency-7")
    assert urls.did == "did:web:certs.example.org%3A8443:miiwrap:issuers:agency-7"
    expected = "https://certs.example.org:8443/miiwrap/issuers/agency-7/did.json"
    assert did_web_url(urls.did) == expected == urls.did_document


def test_a_baked_credential_is_read_back_from_the_badge_and_junk_carries_none() -> None:
    png = badge_png("https://certs.example.org/credentials/1", "eyJh.eyJi.c2ln", "Facilitator")
    assert baked_credential(png) == "eyJh.eyJi.c2ln"
    assert baked_credential(png[:70]) is None  # cut inside its text chunk
    assert baked_credential(b"GIF89a not a png") is None


def test_a_signing_key_is_stored_encrypted_with_the_secret_and_unreadable_without_it() -> None:
    key = Ed25519PrivateKey.generate()
    pem = private_key_pem(key, "operator-secret")
    assert "ENCRYPTED PRIVATE KEY" in pem
    loaded = load_private_key(pem, True, "operator-secret")
    assert loaded.public_key().public_bytes_raw() == key.public_key().public_bytes_raw()
    with pytest.raises(RuntimeError, match="CERTIFICATION_CREDENTIAL_KEY_SECRET"):
        load_private_key(pem, True, None)
    with pytest.raises(ValueError):
        load_private_key(pem, True, "another secret")
