"""multipart/mixed Statement requests and responses (Communication §1.5.2)."""

from __future__ import annotations

import hashlib

import pytest

from services.learning.xapi.errors import RequestInvalid
from services.learning.xapi.multipart import (
    AttachmentPart,
    build_multipart,
    parse_statement_multipart,
)

# the spec's example boundary, chosen to show every character class allowed
BOUNDARY = "abcABC0123'()+_,-./:=?"
CONTENT_TYPE = f'multipart/mixed; boundary="{BOUNDARY}"'
DATA = b"here is a simple attachment"
SHA = hashlib.sha256(DATA).hexdigest()


def body(*parts: bytes) -> bytes:
    delimiter = f"--{BOUNDARY}".encode()
    chunks = [delimiter + b"\r\n" + part for part in parts]
    return b"\r\n".join(chunks) + b"\r\n" + delimiter + b"--"


def json_part(content: bytes = b'{"a": 1}') -> bytes:
    return b"Content-Type:application/json\r\n\r\n" + content


def data_part(data: bytes = DATA, sha: str = SHA, encoding: str = "binary") -> bytes:
    headers = f"Content-Type:text/plain\r\nContent-Transfer-Encoding:{encoding}\r\n"
    return (headers + f"X-Experience-API-Hash:{sha}\r\n\r\n").encode() + data


def test_reads_the_spec_example_shape() -> None:
    statements, parts = parse_statement_multipart(body(json_part(), data_part()), CONTENT_TYPE)
    assert statements == b'{"a": 1}'
    assert parts == {SHA: AttachmentPart(SHA, "text/plain", DATA)}


def test_binary_data_with_line_breaks_survives_intact() -> None:
    data = b"\r\n--not-the-boundary\r\n\x00\xff\r\n"
    sha = hashlib.sha256(data).hexdigest()
    _, parts = parse_statement_multipart(body(json_part(), data_part(data, sha)), CONTENT_TYPE)
    assert parts[sha].content == data


@pytest.mark.parametrize(
    ("raw", "complaint"),
    [
        (body(b"Content-Type:text/plain\r\n\r\n{}"), "first part"),
        (body(json_part(), data_part(sha="")), "X-Experience-API-Hash"),
        (body(json_part(), data_part(encoding="base64")), "Content-Transfer-Encoding"),
        (body(json_part(), data_part(sha="0" * 64)), "does not hash"),
        (body(json_part())[:-4], "closing boundary"),
        (b"no boundary at all", "boundary"),
    ],
    ids=["first-not-json", "no-hash", "not-binary", "wrong-hash", "unterminated", "no-delimiter"],
)
def test_refuses_malformed_bodies(raw: bytes, complaint: str) -> None:
    with pytest.raises(RequestInvalid, match=complaint):
        parse_statement_multipart(raw, CONTENT_TYPE)


def test_refuses_a_content_type_without_boundary() -> None:
    with pytest.raises(RequestInvalid, match="boundary"):
        parse_statement_multipart(body(json_part()), "multipart/mixed")


def test_a_built_response_reads_back() -> None:
    raw, content_type = build_multipart(b"[]", [AttachmentPart(SHA, "text/plain", DATA)])
    statements, parts = parse_statement_multipart(raw, content_type)
    assert statements == b"[]"
    assert parts[SHA].content == DATA
