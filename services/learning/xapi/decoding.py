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
        value = json.loads(text, object_pairs_hook=_unique_properties, parse_constant=_no_constant)
    except UnicodeDecodeError as error:
        raise StatementInvalid(f"the body is not UTF-8: {error.reason}", "") from error
    except json.JSONDecodeError as error:
        raise StatementInvalid(f"the body is not valid JSON: {error.msg}", "") from error
    except RecursionError as error:
        raise StatementInvalid("the body nests arrays or objects too deeply", "") from error
    if "\\u" in text and _has_lone_surrogate(value):
        # `"\ud800"` decodes to a code point UTF-8 cannot carry
        raise StatementInvalid(
            "a string holds an unpaired UTF-16 surrogate, which is not UTF-8", ""
        )
    return value


def _has_lone_surrogate(value: object) -> bool:
    pending = [value]
    while pending:
        current = pending.pop()
        if isinstance(current, str):
            try:
                current.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(current, dict):
            pending.extend(current.keys())
            pending.extend(current.values())
        elif isinstance(current, list):
            pending.extend(current)
    return False


def _unique_properties(pairs: list[tuple[str, object]]) -> dict[str, object]:
    obj: dict[str, object] = {}
    for key, value in pairs:
        if key in obj:
            raise StatementInvalid(f"property {key!r} appears more than once in an object", "")
        obj[key] = value
    return obj


def _no_constant(name: str) -> object:
    raise StatementInvalid(f"{name} is not a JSON number", "")
