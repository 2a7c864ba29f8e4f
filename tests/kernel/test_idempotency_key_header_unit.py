"""The Idempotency-Key header's value and the body fingerprint (pure, no servers)."""

from __future__ import annotations

import pytest

from shared.idempotency_middleware import body_fingerprint, key_from_header


def test_a_structured_field_string_and_a_bare_token_name_the_same_key() -> None:
    assert key_from_header(b'"8e03978e-40d5"') == key_from_header(b"8e03978e-40d5")


@pytest.mark.parametrize(
    "raw", [b"", b'""', b"a b", b"caf\xc3\xa9", b"x" * 256, b'a"b', b"a\\b", b"tab\there"]
)
def test_refuses_a_key_that_is_empty_too_long_or_not_printable_ascii(raw: bytes) -> None:
    with pytest.raises(ValueError, match="Idempotency-Key"):
        key_from_header(raw)


def test_the_fingerprint_ignores_key_order_and_spacing_but_not_values() -> None:
    assert body_fingerprint(b'{"a": 1, "b": [2]}') == body_fingerprint(b'{"b":[2],"a":1}')
    assert body_fingerprint(b'{"a": 1}') != body_fingerprint(b'{"a": 2}')
