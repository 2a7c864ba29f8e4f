"""multipart/mixed bodies carrying Statements and their Attachments (Communication §1.5.2).

Reading: the first part holds the Statements (`application/json`); every other part is
the raw data of an Attachment, with `X-Experience-API-Hash` (its SHA-2) and
`Content-Transfer-Encoding: binary` headers. The hash is checked against the data, so a
part is only ever matched to an Attachment by what it really contains (§1.5.2.s1.b4).
Writing: the same format for GET /statements?attachments=true.

Boundaries and line breaks follow RFC 2046 exactly (CRLF; a delimiter is CRLF, `--`
and the boundary), since Attachment data is binary and must not be reinterpreted.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from email.message import Message

from .errors import RequestInvalid
from .formats import is_sha2_hex

_DIGESTS = {56: "sha224", 64: "sha256", 96: "sha384", 128: "sha512"}


@dataclass(frozen=True)
class AttachmentPart:
    """The raw data of one Attachment, identified by its SHA-2 (lower-case hex)."""

    sha2: str
    content_type: str
    content: bytes


def media_type(content_type: str | None) -> str:
    """`application/json; charset=utf-8` → `application/json` (lower-cased)."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def sha2_of(content: bytes, like: str) -> str:
    """The hex SHA-2 of `content` with the digest length of the hex digest `like`."""
    return hashlib.new(_DIGESTS.get(len(like), "sha256"), content).hexdigest()


def parse_statement_multipart(
    body: bytes, content_type: str
) -> tuple[bytes, dict[str, AttachmentPart]]:
    """The Statements part and the Attachment parts by SHA-2; `RequestInvalid` if malformed."""
    parts = split_parts(body, boundary_of(content_type))
    if not parts:
        raise RequestInvalid("the multipart body has no parts; the first must hold the Statements")
    first_headers, statements = parts[0]
    if media_type(first_headers.get("content-type")) != "application/json":
        raise RequestInvalid("the first part of a multipart/mixed body must be application/json")
    attachments: dict[str, AttachmentPart] = {}
    for number, (headers, content) in enumerate(parts[1:], start=2):
        declared = headers.get("x-experience-api-hash", "").strip().lower()
        if not declared:
            raise RequestInvalid(f"part {number} has no X-Experience-API-Hash header")
        if not is_sha2_hex(declared):
            raise RequestInvalid(f"part {number}: X-Experience-API-Hash is not a hex SHA-2")
        encoding = headers.get("content-transfer-encoding", "").strip().lower()
        if encoding != "binary":
            raise RequestInvalid(
                f"part {number} needs the header 'Content-Transfer-Encoding: binary'"
            )
        if sha2_of(content, declared) != declared:
            raise RequestInvalid(
                f"part {number}: its data does not hash to its X-Experience-API-Hash {declared}"
            )
        part_type = headers.get("content-type", "application/octet-stream").strip()
        attachments[declared] = AttachmentPart(declared, part_type, content)
    return statements, attachments


def boundary_of(content_type: str) -> bytes:
    """The `boundary` parameter of a multipart Content-Type (quoted or not)."""
    header = Message()
    header["content-type"] = content_type
    boundary = header.get_param("boundary")
    if not isinstance(boundary, str) or not 1 <= len(boundary) <= 70:
        raise RequestInvalid("a multipart/mixed Content-Type needs a boundary parameter")
    return boundary.encode("ascii", errors="replace")


def split_parts(body: bytes, boundary: bytes) -> list[tuple[dict[str, str], bytes]]:
    """RFC 2046 body parts, each as (lower-cased headers, raw content)."""
    dash = b"--" + boundary
    delimiter = b"\r\n" + dash
    if body.startswith(dash):
        rest = body[len(dash) :]
    else:
        start = body.find(delimiter)
        if start < 0:
            raise RequestInvalid("the multipart body does not contain its boundary")
        rest = body[start + len(delimiter) :]
    parts: list[tuple[dict[str, str], bytes]] = []
    while not rest.startswith(b"--"):
        line_end = rest.find(b"\r\n")
        if line_end < 0 or rest[:line_end].strip():
            raise RequestInvalid("a multipart boundary line must end with CRLF")
        rest = rest[line_end + 2 :]
        end = rest.find(delimiter)
        if end < 0:
            raise RequestInvalid("the multipart body has no closing boundary ('--' boundary '--')")
        parts.append(_part(rest[:end]))
        rest = rest[end + len(delimiter) :]
    return parts


def build_multipart(statements_json: bytes, attachments: list[AttachmentPart]) -> tuple[bytes, str]:
    """A multipart/mixed body and its Content-Type for a GET with attachments=true."""
    boundary = secrets.token_hex(16).encode()
    chunks = [b"--" + boundary + b"\r\nContent-Type: application/json\r\n\r\n" + statements_json]
    for attachment in attachments:
        headers = (
            f"Content-Type: {attachment.content_type}\r\n"
            "Content-Transfer-Encoding: binary\r\n"
            f"X-Experience-API-Hash: {attachment.sha2}\r\n\r\n"
        )
        chunks.append(b"--" + boundary + b"\r\n" + headers.encode() + attachment.content)
    body = b"\r\n".join(chunks) + b"\r\n--" + boundary + b"--\r\n"
    return body, f'multipart/mixed; boundary="{boundary.decode()}"'


def _part(raw: bytes) -> tuple[dict[str, str], bytes]:
    if raw.startswith(b"\r\n"):  # no headers at all
        return {}, raw[2:]
    head_end = raw.find(b"\r\n\r\n")
    if head_end < 0:
        raise RequestInvalid("a multipart part needs a blank line between headers and data")
    headers: dict[str, str] = {}
    for line in raw[:head_end].decode("utf-8", errors="replace").split("\r\n"):
        name, colon, value = line.partition(":")
        if not colon or not name.strip():
            raise RequestInvalid(f"{line!r} is not a 'Name: value' part header")
        headers[name.strip().lower()] = value.strip()
    return headers, raw[head_end + 4 :]
