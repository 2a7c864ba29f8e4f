"""Request bodies decode strictly: one use per property name, JSON numbers only, UTF-8."""

from __future__ import annotations

import pytest

from services.learning.xapi import StatementInvalid, decode_json


def test_decodes_a_statement_body() -> None:
    assert decode_json(b'{"actor": {"mbox": "mailto:a@example.org"}}') == {
        "actor": {"mbox": "mailto:a@example.org"}
    }


@pytest.mark.parametrize(
    "body",
    [
        '{"verb": {"id": "http://x.example/a"}, "verb": {"id": "http://x.example/b"}}',
        '{"actor": {"mbox": "mailto:a@example.org", "mbox": "mailto:b@example.org"}}',
    ],
)
def test_rejects_a_property_used_twice_in_one_object(body: str) -> None:
    with pytest.raises(StatementInvalid, match="more than once"):
        decode_json(body)


@pytest.mark.parametrize("body", ['{"scaled": NaN}', '{"raw": Infinity}', "{'a': 1}", ""])
def test_rejects_what_is_not_json(body: str) -> None:
    with pytest.raises(StatementInvalid):
        decode_json(body)


def test_rejects_a_body_that_is_not_utf_8() -> None:
    with pytest.raises(StatementInvalid, match="UTF-8"):
        decode_json('{"name": "Zoë"}'.encode("latin-1"))


def test_rejects_an_unpaired_surrogate_but_keeps_a_paired_one() -> None:
    with pytest.raises(StatementInvalid, match="surrogate"):
        decode_json('{"name": "\\ud800"}')
    assert decode_json('{"name": "\\ud83d\\ude00"}') == {"name": "😀"}


def test_rejects_nesting_deeper_than_the_parser_goes() -> None:
    with pytest.raises(StatementInvalid, match="too deeply"):
        decode_json("[" * 100_000 + "]" * 100_000)
