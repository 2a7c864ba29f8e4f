"""Document ETags, preconditions and the JSON merge of POST (Communication §2.2, §3.1)."""

from __future__ import annotations

import hashlib
import json

import pytest

from services.learning.xapi.documents import (
    Document,
    OverwriteWithoutPrecondition,
    PreconditionFailed,
    PreconditionMissing,
    check_preconditions,
    etag_of,
    merged,
    parse_etags,
    replacement,
)
from services.learning.xapi.errors import RequestInvalid

JSON = "application/json"
STORED = Document(JSON, b'{"x": "foo", "y": "bar"}', etag_of(b'{"x": "foo", "y": "bar"}'))


def test_the_etag_is_the_lowercase_hex_sha1_of_the_contents() -> None:
    assert etag_of(b"abc") == hashlib.sha1(b"abc").hexdigest()


def test_etag_headers_are_read_without_quotes_or_weakness() -> None:
    assert parse_etags('"AbC", W/"def"') == {"abc", "def"}
    assert parse_etags("*") == {"*"}
    assert parse_etags(None) is None


def check(
    current: Document | None,
    *,
    if_match: str | None = None,
    if_none_match: str | None = None,
    is_put: bool = True,
    profile: bool = True,
) -> None:
    check_preconditions(
        current,
        if_match=parse_etags(if_match),
        if_none_match=parse_etags(if_none_match),
        is_put=is_put,
        put_needs_precondition=profile,
    )


def test_if_match_holds_for_the_current_etag() -> None:
    check(STORED, if_match=f'"{STORED.etag}"')
    check(STORED, if_match="*")


@pytest.mark.parametrize(
    ("current", "if_match", "if_none_match"),
    [(STORED, '"0000"', None), (None, f'"{STORED.etag}"', None), (STORED, None, "*")],
    ids=["stale-etag", "match-on-missing", "none-match-on-existing"],
)
def test_failed_preconditions(
    current: Document | None, if_match: str | None, if_none_match: str | None
) -> None:
    with pytest.raises(PreconditionFailed):
        check(current, if_match=if_match, if_none_match=if_none_match)


def test_a_profile_put_over_an_existing_document_needs_a_precondition() -> None:
    with pytest.raises(OverwriteWithoutPrecondition):
        check(STORED)
    with pytest.raises(PreconditionMissing):
        check(None)  # creating without one is refused too (400, as the ADL suite checks)
    check(None, if_none_match="*")
    check(STORED, profile=False)  # State does not require one
    check(STORED, is_put=False)  # nor does POST


def test_post_merges_top_level_properties_as_the_spec_example_shows() -> None:
    result = merged(STORED, JSON, b'{"x": "bash", "z": "faz"}')
    assert json.loads(result.content) == {"x": "bash", "y": "bar", "z": "faz"}
    assert result.etag == etag_of(result.content)


def test_post_without_a_stored_document_stores_the_posted_one() -> None:
    assert merged(None, "text/plain", b"hi").content == b"hi"


@pytest.mark.parametrize(
    ("current", "content_type", "content"),
    [
        (STORED, "text/plain", b"x"),
        (Document("text/plain", b"x", etag_of(b"x")), JSON, b"{}"),
        (STORED, JSON, b"[1, 2]"),
        (STORED, JSON, b"{not json"),
        (None, JSON, b"[]"),
    ],
    ids=["posted-not-json", "stored-not-json", "posted-array", "posted-broken", "new-array"],
)
def test_post_refuses_what_cannot_be_merged(
    current: Document | None, content_type: str, content: bytes
) -> None:
    with pytest.raises(RequestInvalid):
        merged(current, content_type, content)


def test_put_refuses_a_json_document_that_is_not_json() -> None:
    with pytest.raises(RequestInvalid, match="not JSON"):
        replacement(JSON, b"{oops")
    assert replacement("application/octet-stream", b"\x00").content == b"\x00"
