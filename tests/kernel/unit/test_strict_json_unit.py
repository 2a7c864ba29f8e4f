"""The strict JSON parser's quick path refuses exactly what the full check refuses."""

from __future__ import annotations

import json
import re

import pytest

from shared.request_guard import MalformedJson, UnstorableValue, parse_strict_json


@pytest.mark.parametrize(
    ("body", "refusal", "named"),
    [
        (b'{"a": {"b": "x\\u0000y"}}', UnstorableValue, "body.a.b contains a NUL"),
        (b'{"a": ["\\ud800"]}', UnstorableValue, "body.a[0] contains an unpaired"),
        (b'{"\\u0000key": 1}', UnstorableValue, "body key contains a NUL"),
        (b'{"a": "\xed\xa0\x80"}', UnstorableValue, "body.a contains an unpaired"),
        ('{"a": "\ud800"}', UnstorableValue, "body.a contains an unpaired"),
        (b'{"a": 1, "a": 2}', MalformedJson, "the key 'a' appears more than once"),
        (b"[" * 5 + b"]" * 5, MalformedJson, "nested too deeply"),
    ],
    ids=[
        "escaped-nul",
        "escaped-surrogate",
        "nul-in-key",
        "utf8-surrogate",
        "str-surrogate",
        "duplicate-key",
        "too-deep",
    ],
)
def test_refuses_what_cannot_be_stored_or_is_lossy(
    body: bytes | str, refusal: type[Exception], named: str
) -> None:
    with pytest.raises(refusal, match=re.escape(named)):
        parse_strict_json(body, max_depth=4)


def test_accepts_brackets_in_strings_and_non_ascii_text_within_the_depth() -> None:
    body = '{"note": "[[[[[{{{{{ déjà vu \\u00e9", "items": [{"k": [1]}]}'.encode()
    assert parse_strict_json(body, max_depth=4) == {
        "note": "[[[[[{{{{{ déjà vu é",
        "items": [{"k": [1]}],
    }


def test_refuses_depth_past_the_limit_only_when_it_is_reached() -> None:
    assert parse_strict_json(b'{"a": [[{"b": 1}]]}', max_depth=4) == {"a": [[{"b": 1}]]}
    with pytest.raises(MalformedJson, match="nested too deeply"):
        parse_strict_json(b'{"a": [[{"b": [1]}]]}', max_depth=4)


@pytest.mark.parametrize(
    ("body", "value"),
    [
        ('{"a": [1, "é"]}'.encode("utf-16"), {"a": [1, "é"]}),  # any encoding json detects
        ('["é"]'.encode("utf-32-le"), ["é"]),
        ('["é"]', ["é"]),
        ('\ufeff{"a": 1}', None),  # a BOM in text: refused, as json.loads refuses it
        (b'{"a": 1} x', None),  # extra data
        (b"\xff", None),
    ],
    ids=["utf-16", "utf-32", "text", "text-bom", "extra-data", "not-utf-8"],
)
def test_reads_text_and_bytes_as_json_loads_reads_them(body: bytes | str, value: object) -> None:
    """One decoder serves every parse; what it reads and refuses is json.loads's."""
    if value is None:
        with pytest.raises(ValueError):
            json.loads(body)
        with pytest.raises(MalformedJson):
            parse_strict_json(body)
    else:
        assert parse_strict_json(body) == json.loads(body) == value
