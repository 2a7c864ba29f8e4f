"""Attachments in multipart/mixed (matched by SHA-2) and signed Statements (Data §2.6)."""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

import httpx

from services.learning.xapi.multipart import parse_statement_multipart
from tests.learning.xapi.integration.lrs_client import Lms
from tests.learning.xapi.unit.builders import set_at, statement
from tests.learning.xapi.unit.signing import APPENDIX_D_JWS, sign, signed
from tests.learning.xapi.unit.spec_examples import APPENDIX_D_SIGNED

CERTIFICATE = b"%PDF-1.7 completion certificate for Ana\r\n\x00\x01\x02"
BOUNDARY = "abcABC0123'()+_,-./:=?"


def certificate_attachment(data: bytes = CERTIFICATE, **overrides: Any) -> dict[str, Any]:
    return {
        "usageType": "http://id.tincanapi.com/attachment/certificate-of-completion",
        "display": {"en-US": "Certificate"},
        "contentType": "application/pdf",
        "length": len(data),
        "sha2": hashlib.sha256(data).hexdigest(),
        **overrides,
    }


def multipart(statements: Any, *parts: tuple[bytes, str]) -> bytes:
    delimiter = f"--{BOUNDARY}".encode()
    chunks = [
        delimiter + b"\r\nContent-Type: application/json\r\n\r\n" + json.dumps(statements).encode()
    ]
    for data, content_type in parts:
        headers = (
            f"Content-Type: {content_type}\r\nContent-Transfer-Encoding: binary\r\n"
            f"X-Experience-API-Hash: {hashlib.sha256(data).hexdigest()}\r\n\r\n"
        )
        chunks.append(delimiter + b"\r\n" + headers.encode() + data)
    return b"\r\n".join(chunks) + b"\r\n" + delimiter + b"--\r\n"


async def post_multipart(lms: Lms, body: bytes) -> httpx.Response:
    return await lms.request(
        "POST",
        "statements",
        content=body,
        headers={"Content-Type": f'multipart/mixed; boundary="{BOUNDARY}"'},
    )


async def test_an_attachment_sent_in_multipart_comes_back_with_attachments_true(lms: Lms) -> None:
    sent = statement(id=str(uuid.uuid4()), attachments=[certificate_attachment()])

    response = await post_multipart(lms, multipart([sent], (CERTIFICATE, "application/pdf")))

    assert response.status_code == 200, response.text
    plain = await lms.get_statements(statementId=sent["id"])
    assert plain.headers["content-type"] == "application/json"
    assert plain.json()["attachments"] == sent["attachments"]
    full = await lms.get_statements(statementId=sent["id"], attachments=True)
    assert full.headers["content-type"].startswith("multipart/mixed")
    first, parts = parse_statement_multipart(full.content, full.headers["content-type"])
    assert parts[sent["attachments"][0]["sha2"]].content == CERTIFICATE
    assert b'"attachments"' in first


async def test_a_statement_result_with_attachments_carries_each_file_once(lms: Lms) -> None:
    one = statement(id=str(uuid.uuid4()), attachments=[certificate_attachment()])
    two = statement(id=str(uuid.uuid4()), attachments=[certificate_attachment()])
    await post_multipart(lms, multipart([one, two], (CERTIFICATE, "application/pdf")))

    full = await lms.get_statements(attachments=True)

    statements, parts = parse_statement_multipart(full.content, full.headers["content-type"])
    assert list(parts) == [hashlib.sha256(CERTIFICATE).hexdigest()]
    assert b'"statements"' in statements


async def test_an_attachment_with_a_file_url_needs_no_part(lms: Lms) -> None:
    linked = certificate_attachment(fileUrl="https://lms.example.org/files/cert.pdf")
    assert (await lms.post_statements(statement(attachments=[linked]))).status_code == 200


async def test_an_attachment_without_data_or_file_url_is_refused(lms: Lms) -> None:
    sent = statement(attachments=[certificate_attachment()])
    as_json = await lms.post_statements(sent)
    as_multipart = await post_multipart(lms, multipart([sent]))
    for response in (as_json, as_multipart):
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "attachments[0].sha2"
    assert (await lms.get_statements()).json()["statements"] == []


async def test_a_part_that_matches_no_attachment_is_refused(lms: Lms) -> None:
    response = await post_multipart(lms, multipart([statement()], (b"stray", "text/plain")))
    assert response.status_code == 400
    assert "belongs to no Attachment" in response.json()["detail"]


async def test_a_part_whose_data_does_not_match_its_hash_is_refused(lms: Lms) -> None:
    sent = statement(attachments=[certificate_attachment()])
    body = multipart([sent], (CERTIFICATE, "application/pdf")).replace(
        b"certificate for Ana", b"certificate for Bob"
    )
    response = await post_multipart(lms, body)
    assert response.status_code == 400
    assert "does not hash" in response.json()["detail"]


async def test_the_spec_example_signed_statement_is_accepted(lms: Lms) -> None:
    jws = APPENDIX_D_JWS.encode()
    response = await post_multipart(
        lms, multipart(APPENDIX_D_SIGNED, (jws, "application/octet-stream"))
    )
    assert response.status_code == 200, response.text
    full = await lms.get_statements(statementId=APPENDIX_D_SIGNED["id"], attachments=True)
    _, parts = parse_statement_multipart(full.content, full.headers["content-type"])
    assert parts[APPENDIX_D_SIGNED["attachments"][0]["sha2"]].content == jws


async def test_a_statement_signed_by_the_lms_is_accepted(lms: Lms) -> None:
    sent, jws = signed(statement(id=str(uuid.uuid4())))
    response = await post_multipart(lms, multipart([sent], (jws, "application/octet-stream")))
    assert response.status_code == 200, response.text


async def test_a_signature_of_other_content_is_refused_and_nothing_is_stored(lms: Lms) -> None:
    original = statement(id=str(uuid.uuid4()))
    tampered = set_at(original, "result.score.scaled", 0.99)
    sent, jws = signed(tampered, sign(original))

    response = await post_multipart(lms, multipart([sent], (jws, "application/octet-stream")))

    assert response.status_code == 400
    assert "payload" in response.json()["detail"]
    assert (await lms.get_statements(statementId=original["id"])).status_code == 404


async def test_a_signature_that_is_not_a_jws_is_refused(lms: Lms) -> None:
    sent, jws = signed(statement(), b"this is not a signature")
    response = await post_multipart(lms, multipart([sent], (jws, "application/octet-stream")))
    assert response.status_code == 400
    assert "JWS" in response.json()["detail"]
