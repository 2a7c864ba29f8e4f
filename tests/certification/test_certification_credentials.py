"""Portable credentials: a published grant becomes an Open Badges 3.0 credential that the
1EdTech schema accepts, an independent library (joserfc) verifies, and that stops
verifying when the certification is revoked or lapses; agency apps hear of it."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from joserfc import jws
from joserfc.jwk import KeySet
from nats.aio.client import Client
from PIL import Image

from services.certification.config import CertificationSettings
from services.certification.domain.status_list import bit_is_set
from shared.testing.jetstream import received_events
from tests.certification.certification_client import CertificationApi
from tests.certification.test_certification_clock import certified
from tests.certification.test_certification_import_windows import send
from tests.certification.upstream import UpstreamHistory

pytestmark = pytest.mark.filterwarnings("ignore:EdDSA is deprecated")  # RFC 9864: alg name
PUBLIC_URL = "https://certs.example.org/miiwrap"
SCHEMA = Path(__file__).parent / "fixtures" / "ob_v3p0_achievementcredential_schema.json"


@pytest.fixture
def certification_settings(settings_for: Callable[..., Any]) -> CertificationSettings:
    settings: CertificationSettings = settings_for(
        CertificationSettings, db_pool_max=10, public_url=PUBLIC_URL
    )
    return settings


async def held_credentials(api: CertificationApi, practitioner_id: str) -> list[dict[str, Any]]:
    path = f"/practitioners/{practitioner_id}/credentials"
    response = await api.get(path, role="practitioner", subject=practitioner_id)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()
    return items


async def download(api: CertificationApi, practitioner_id: str, credential_id: str) -> Any:
    response = await api.get(f"/practitioners/{practitioner_id}/credentials/{credential_id}")
    assert response.status_code == 200, response.text
    return response.json()


async def verify(api: CertificationApi, **body: Any) -> dict[str, Any]:
    response = await api.client.post("/credentials/verify", json=body)  # no credential: public
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def failed(result: dict[str, Any]) -> set[str]:
    return {c["check"] for c in result["checks"] if not c["passed"]}


async def issuer_keys(api: CertificationApi) -> KeySet:
    response = await api.client.get(f"/issuers/{api.agency_id}/jwks.json")
    assert response.status_code == 200, response.text
    return KeySet.import_key_set(response.json())


async def revoked_on_status_list(api: CertificationApi, credential: dict[str, Any]) -> bool:
    """What an outside verifier reads: the signed status list, checked with joserfc."""
    entry = credential["credentialStatus"]
    assert entry["statusListCredential"] == f"{PUBLIC_URL}/issuers/{api.agency_id}/status/1"
    response = await api.client.get(f"/issuers/{api.agency_id}/status/1")
    assert response.headers["content-type"] == "application/vc+jwt"
    signed = jws.deserialize_compact(response.text, await issuer_keys(api), algorithms=["EdDSA"])
    status_list = json.loads(signed.payload)
    encoded = status_list["credentialSubject"]["encodedList"]
    return bit_is_set(encoded, int(entry["statusListIndex"]))


async def test_a_grant_becomes_an_open_badge_an_independent_verifier_accepts_and_a_forgery_fails(
    certification: CertificationApi, nats_client: Client
) -> None:
    await certified(certification, nats_client, "pr-1")
    [held] = await held_credentials(certification, "pr-1")
    assert (held["level"], held["status"]) == ("facilitator", "active")
    got = await download(certification, "pr-1", held["credential_id"])
    token, credential = got["jwt"], got["credential"]

    jsonschema.Draft201909Validator(json.loads(SCHEMA.read_text())).validate(credential)
    # verified by another library than the signer, with the keys the issuer publishes
    signed = jws.deserialize_compact(token, await issuer_keys(certification), ["EdDSA"])
    assert json.loads(signed.payload) == credential
    did = f"did:web:certs.example.org:miiwrap:issuers:{certification.agency_id}"
    assert credential["issuer"]["id"] == did and signed.headers()["kid"].startswith(did + "#")
    did_url = f"/issuers/{certification.agency_id}/did.json"
    document = (await certification.client.get(did_url)).json()
    assert signed.headers()["kid"] in document["assertionMethod"]
    assert "pr-1" not in token and "pr-1" not in json.dumps(credential)  # a salted hash only
    assert credential["validFrom"] == "2025-12-01T00:00:00Z"
    assert not await revoked_on_status_list(certification, credential)

    result = await verify(certification, credential=token)
    assert result["verified"] is True, result
    assert [c["check"] for c in result["checks"]] == ["issuer", "signature", "status", "validity"]
    assert (await verify(certification, credential=got["verifiable_credential"]))["verified"]

    path = f"/practitioners/pr-1/credentials/{held['credential_id']}"
    badge = await certification.get(f"{path}/badge.png")
    assert badge.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(badge.content)).text["openbadgecredential"] == token  # baked
    image = base64.b64encode(badge.content).decode()
    assert (await verify(certification, image=image))["verified"] is True

    # an agency app subscribed to the certification stream hears of it
    subject = f"{certification.settings.subject_root}.certification.{certification.agency_id}"
    [issued] = await received_events(nats_client, f"{subject}.credential_issued", count=1)
    assert (issued.subject, issued.data["jwt"]) == ("pr-1", token)
    assert issued.data["credential_id"] == held["credential_id"]

    # a tampered credential fails its signature; what is no credential at all is a 422
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["validUntil"] = "2099-01-01T00:00:00Z"  # stretch the validity
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    result = await verify(certification, credential=f"{header}.{forged}.{signature}")
    assert result["verified"] is False and failed(result) == {"signature"}

    for body, hint in [
        ({"credential": "not a credential"}, "not a credential"),
        ({"credential": {"type": "VerifiableCredential"}}, "compact JWT"),
        ({"image": base64.b64encode(b"GIF89a").decode()}, "no baked credential"),
        ({}, "either credential or image"),
    ]:
        response = await certification.client.post("/credentials/verify", json=body)
        assert response.status_code == 422, (body, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert hint in response.text, response.text
    # another practitioner cannot download pr-1's credential
    path = f"/practitioners/pr-1/credentials/{held['credential_id']}"
    other = await certification.get(path, role="practitioner", subject="pr-2")
    assert other.status_code == 403


async def test_revocation_revokes_the_credential_and_reinstatement_issues_a_new_one_once(
    certification: CertificationApi, nats_client: Client
) -> None:
    await certified(certification, nats_client, "pr-1")
    [first] = await held_credentials(certification, "pr-1")
    got = await download(certification, "pr-1", first["credential_id"])
    body = {"level": "facilitator", "reason": "falsified observation records"}
    assert (await certification.post("/practitioners/pr-1/revocations", body)).status_code == 201

    result = await verify(certification, credential=got["jwt"])
    assert result["verified"] is False and failed(result) == {"status"}, result
    assert await revoked_on_status_list(certification, got["credential"])

    rotated = await certification.post("/credential-keys/rotation")
    assert rotated.status_code == 201, rotated.text
    certification.clock.set(date(2026, 1, 20))
    body["reason"] = "appeal upheld"
    assert (await certification.post("/practitioners/pr-1/reinstatements", body)).status_code == 201
    old, new = await held_credentials(certification, "pr-1")
    assert (old["status"], old["status_reason"], new["status"]) == ("revoked", "revoked", "active")
    assert new["key_id"] == rotated.json()["verification_method"] != old["key_id"]
    renewed = await download(certification, "pr-1", new["credential_id"])
    assert (await verify(certification, credential=renewed["jwt"]))["verified"] is True
    assert failed(await verify(certification, credential=got["jwt"])) == {"status"}  # still

    subject = f"{certification.settings.subject_root}.certification.{certification.agency_id}"
    [changed] = await received_events(nats_client, f"{subject}.credential_status_changed", count=1)
    assert changed.data["credential_id"] == first["credential_id"]
    assert (changed.data["status"], changed.data["reason"]) == ("revoked", "revoked")

    # a rebuild replays the credentials from the log and issues none again
    assert (await certification.post("/projections/rebuild")).status_code == 200
    assert await held_credentials(certification, "pr-1") == [old, new]


async def test_a_lapse_revokes_the_credential_while_at_risk_does_not(
    certification: CertificationApi, nats_client: Client
) -> None:
    await certified(certification, nats_client, "pr-1")
    [held] = await held_credentials(certification, "pr-1")
    token = (await download(certification, "pr-1", held["credential_id"]))["jwt"]

    await certification.tick(date(2026, 8, 29))
    assert await certification.status("pr-1") == "at_risk"
    assert (await verify(certification, credential=token))["verified"] is True
    await certification.tick(date(2026, 11, 27))
    assert await certification.status("pr-1") == "lapsed"
    result = await verify(certification, credential=token)
    assert failed(result) == {"status"}
    assert "lapsed or was revoked" in str(result["checks"])
    [after] = await held_credentials(certification, "pr-1")
    assert (after["status"], after["status_reason"]) == ("revoked", "lapsed")


async def test_an_import_window_holds_credentials_until_its_close_publishes_the_grant(
    certification: CertificationApi, nats_client: Client
) -> None:
    window = {"id": "import-1", "label": "agency export"}
    assert (await certification.post("/import-windows", window)).status_code == 201
    await certification.register("pr-1")
    history = UpstreamHistory.certified_facilitator(certification.agency_id, "pr-1")
    await send(certification, nats_client, history)
    assert await certification.status("pr-1") == "certified"
    assert await held_credentials(certification, "pr-1") == []  # nothing published yet

    closed = await certification.post("/import-windows/import-1/close")
    assert closed.status_code == 200, closed.text
    [held] = await held_credentials(certification, "pr-1")
    assert (held["status"], held["valid_from"]) == ("active", "2025-12-01")
