"""Documents of the State, Activity Profile and Agent Profile resources (Communication §2.2).

Pure rules: a document's ETag (the SHA-1 of its contents, §3.1.s4.b2), the
If-Match / If-None-Match preconditions (§3.1.s4), and the JSON merge a POST performs
on an existing JSON document (§2.2.s7: top-level properties of the posted object
replace those of the stored one).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from enum import StrEnum

from .decoding import decode_json
from .errors import RequestInvalid, StatementInvalid
from .multipart import media_type


class DocumentResource(StrEnum):
    STATE = "state"
    ACTIVITY_PROFILE = "activity_profile"
    AGENT_PROFILE = "agent_profile"

    @property
    def id_parameter(self) -> str:
        return "stateId" if self is DocumentResource.STATE else "profileId"

    @property
    def put_needs_precondition(self) -> bool:
        """Profiles demand If-Match/If-None-Match on a PUT that would overwrite (§3.1.s3)."""
        return self is not DocumentResource.STATE


class PreconditionFailed(Exception):
    """412: the If-Match / If-None-Match condition does not hold."""


class OverwriteWithoutPrecondition(Exception):
    """409: a PUT would overwrite a profile document the client has not seen."""


class PreconditionMissing(Exception):
    """400: a profile PUT of a new document without If-Match or If-None-Match."""


@dataclass(frozen=True)
class Document:
    content_type: str
    content: bytes
    etag: str


def etag_of(content: bytes) -> str:
    """Lower-case hex SHA-1 of the contents, unquoted."""
    return hashlib.sha1(content, usedforsecurity=False).hexdigest()


def parse_etags(header: str | None) -> frozenset[str] | None:
    """An If-Match / If-None-Match header as a set of unquoted ETags (`*` kept as is)."""
    if header is None:
        return None
    tags = set()
    for raw in header.split(","):
        tag = raw.strip()
        if tag.startswith("W/"):
            tag = tag[2:]
        tags.add(tag.strip('"').lower())
    return frozenset(tag for tag in tags if tag)


def check_preconditions(
    current: Document | None,
    *,
    if_match: frozenset[str] | None,
    if_none_match: frozenset[str] | None,
    is_put: bool,
    put_needs_precondition: bool,
) -> None:
    """Raise `PreconditionFailed` or `OverwriteWithoutPrecondition` as §3.1.s4 requires."""
    if if_match is not None and (
        current is None or ("*" not in if_match and current.etag not in if_match)
    ):
        raise PreconditionFailed
    if (
        if_none_match is not None
        and current is not None
        and ("*" in if_none_match or current.etag in if_none_match)
    ):
        raise PreconditionFailed
    if is_put and put_needs_precondition and if_match is None and if_none_match is None:
        if current is not None:
            raise OverwriteWithoutPrecondition
        # §3.1.s3 asks for a precondition on profile PUTs; the ADL suite wants a new
        # document without one refused too (XAPI-00273 and the Activity Profile case)
        raise PreconditionMissing


def is_json(content_type: str) -> bool:
    return media_type(content_type) == "application/json"


def json_object(content: bytes, what: str) -> dict[str, object]:
    """Decode `content` as a JSON object or raise `RequestInvalid` naming `what`."""
    try:
        value = decode_json(content)
    except StatementInvalid as error:
        raise RequestInvalid(f"{what} is not valid JSON: {error.detail}") from error
    if not isinstance(value, dict):
        raise RequestInvalid(f"{what} must be a JSON object to be merged")
    return value


def merged(current: Document | None, content_type: str, content: bytes) -> Document:
    """The document a POST leaves behind: the posted one, or both JSON objects merged."""
    if current is None:
        if is_json(content_type):
            json_object(content, "the posted document")
        return Document(content_type, content, etag_of(content))
    if not is_json(content_type) or not is_json(current.content_type):
        raise RequestInvalid(
            "POST merges JSON documents only: both the stored and the posted document must "
            "be application/json; use PUT to replace a document of another type"
        )
    combined = json_object(current.content, "the stored document")
    combined.update(json_object(content, "the posted document"))
    body = json.dumps(combined, ensure_ascii=False, separators=(",", ":")).encode()
    return Document("application/json", body, etag_of(body))


def replacement(content_type: str, content: bytes) -> Document:
    """The document a PUT stores: the content as sent (a JSON type must hold JSON)."""
    if is_json(content_type):
        try:
            decode_json(content)
        except StatementInvalid as error:
            raise RequestInvalid(
                f"the document is sent as application/json but is not JSON: {error.detail}"
            ) from error
    return Document(content_type, content, etag_of(content))
