"""Decoding a request body into JSON as strictly as xAPI requires.

Python's `json` silently keeps the last of duplicated property names and accepts
`NaN`/`Infinity`; a Statement MUST use each property at most once (Data §2.2.s2.b2)
and JSON has no such numbers. All strings are UTF-8 (Communication §1.4).
"""

from __future__ import annotations

from shared.request_guard import MalformedJson, UnstorableValue, parse_strict_json

from .errors import StatementInvalid


def decode_json(body: bytes | str) -> object:
    """Decode `body` with the kernel's one JSON parser (duplicate keys, NaN/Infinity,
    lone surrogates and nesting beyond its depth limit refused), raising
    `StatementInvalid` for invalid or ambiguous JSON."""
    try:
        text = body.decode("utf-8") if isinstance(body, bytes) else body
        return parse_strict_json(text, refuse_nul=False)
    except UnicodeDecodeError as error:
        raise StatementInvalid(f"the body is not UTF-8: {error.reason}", "") from error
    except (MalformedJson, UnstorableValue) as error:
        raise StatementInvalid(str(error), "") from error
