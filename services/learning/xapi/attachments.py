"""Attachment metadata carried in a Statement (Data §2.4.11, §2.6).

Only the Statement side is checked here; matching raw parts to `sha2` and verifying
JWS signatures belong to the multipart request handling.
"""

from __future__ import annotations

from .errors import StatementInvalid
from .formats import is_media_type, is_sha2_hex
from .structure import (
    check_language_map,
    check_properties,
    child,
    item,
    require_array,
    require_format,
    require_integer,
    require_iri,
    require_irl,
    require_object,
)

SIGNATURE_USAGE_TYPE = "http://adlnet.gov/expapi/attachments/signature"
_REQUIRED = frozenset({"usageType", "display", "contentType", "length", "sha2"})
_ALLOWED = _REQUIRED | {"description", "fileUrl"}


def validate_attachments(value: object, path: str) -> None:
    """An ordered array of Attachment objects."""
    for index, attachment in enumerate(require_array(value, path)):
        validate_attachment(attachment, item(path, index))


def validate_attachment(value: object, path: str) -> None:
    """usageType IRI, display/description language maps, media type, length, sha2, fileUrl."""
    attachment = require_object(value, path, "an Attachment")
    check_properties(attachment, path, "an Attachment", allowed=_ALLOWED, required=_REQUIRED)
    usage_type = require_iri(attachment["usageType"], child(path, "usageType"))
    check_language_map(attachment["display"], child(path, "display"))
    if "description" in attachment:
        check_language_map(attachment["description"], child(path, "description"))
    content_type = require_format(
        attachment["contentType"], child(path, "contentType"), is_media_type, "a media type"
    )
    if require_integer(attachment["length"], child(path, "length")) < 0:
        raise StatementInvalid("must not be negative", child(path, "length"))
    require_format(attachment["sha2"], child(path, "sha2"), is_sha2_hex, "a hex SHA-2 digest")
    if "fileUrl" in attachment:
        require_irl(attachment["fileUrl"], child(path, "fileUrl"))
    if usage_type == SIGNATURE_USAGE_TYPE and content_type != "application/octet-stream":
        raise StatementInvalid(
            "a signature Attachment must have contentType 'application/octet-stream'",
            child(path, "contentType"),
        )
