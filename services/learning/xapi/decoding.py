"""Decoding a request body into JSON as strictly as xAPI requires.

Python's `json` silently keeps the last of duplicated property names and accepts
`NaN`/`Infinity`; a Statement MUST use each property at most once (Data §2.2.s2.b2)
and JSON has no such numbers. All strings are UTF-8 (Communication §1.4).
"""

from __future__ import annotations

import json

from .errors import StatementInvalid


def decode_json(body: bytes | str) -> object:
    """Decode `body`, raising `StatementInvalid` for invalid or ambiguous JSON."""
    try:
        text = body.decode("utf-8") if isinstance(body, bytes) else body
        return json.loads(text, object_pairs_hook=_unique_properties, parse_constant=_no_constant)
    except UnicodeDecodeError as error:
        raise StatementInvalid(f"the body is not UTF-8: {error.reason}", "") from error
    except json.JSONDecodeError as error:
        raise StatementInvalid(f"the body is not valid JSON: {error.msg}", "") from error


def _unique_properties(pairs: list[tuple[str, object]]) -> dict[str, object]:
    obj: dict[str, object] = {}
    for key, value in pairs:
        if key in obj:
            raise StatementInvalid(f"property {key!r} appears more than once in an object", "")
        obj[key] = value
    return obj


def _no_constant(name: str) -> object:
    raise StatementInvalid(f"{name} is not a JSON number", "")
