"""An import line's JSON: the quick parse gives exactly what the strict parse gives.

`line_json` parses the usual line with pydantic-core and falls back to
`parse_strict_json` for anything it cannot vouch for; a line must never be taken by
one and refused by the other, nor read as another value.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.imports import line_json
from shared.request_guard import (
    DEFAULT_MAX_DEPTH,
    MalformedJson,
    UnstorableValue,
    parse_strict_json,
)


def _outcome(parse: Any, text: str) -> tuple[str, Any]:
    try:
        return "value", parse(text)
    except (MalformedJson, UnstorableValue) as error:
        return type(error).__name__, str(error)


def _strict(text: str) -> tuple[str, Any]:
    return _outcome(lambda t: parse_strict_json(t, what="line 7"), text)


def _quick(text: str) -> tuple[str, Any]:
    return _outcome(lambda t: line_json(t, 7), text)


TRICKY_LINES = [
    '{"kind":"observation","id":"a","ratings":[{"indicator_id":"X.1","rating":"present"}]}',
    '{"kind":"visit","id":"a","id":"b"}',  # a key twice
    '{"a":{"b":1,"b":1}}',  # twice in an inner object, same value
    '{"a":"x:y","a":"z"}',  # twice, a colon in a string of the dropped pair
    '{"a":"x:y","b":"z"}',  # a colon in a string, no key twice
    '{"a:b":1,"c":[1,2,{"d":null}]}',  # a colon in a key
    '{"a" : 1 , "b"\t:\t2 }',
    '{"a":NaN}',
    '{"a":-Infinity}',
    '{"a":1e400}',
    '{"a":0.1,"b":-0.0,"c":1E+2,"d":123456789012345678901234567890}',
    '{"a":2.2250738585072014e-308,"b":5e-324,"c":1.7976931348623157e308}',
    '{"a":"\\u0000"}',  # NUL
    '{"a":"\\ud800"}',  # a lone surrogate
    '{"a":"caf\\u00e9 \\"q\\""}',
    '{"a":"café"}',
    '{"a":"tab\there"}',  # a raw control character
    '{"a":1,}',
    '{"a":01}',
    '{"a":1} x',
    '{"a":1}{"b":2}',
    "{'a':1}",
    '"just a string"',
    "[1,2,3]",
    '{"a":1}\r',
    "[" * DEFAULT_MAX_DEPTH + "]" * DEFAULT_MAX_DEPTH,
    "[" * (DEFAULT_MAX_DEPTH + 1) + "]" * (DEFAULT_MAX_DEPTH + 1),
    '{"a":' * 40 + "1" + "}" * 40,
    "[" * 300 + "]" * 300,
    '{"a":' + "9" * 4300 + "}",  # the most digits Python turns into an int
    '{"a":' + "9" * 4301 + "}",
]


@pytest.mark.parametrize("text", TRICKY_LINES)
def test_a_line_is_read_or_refused_as_the_strict_parse_reads_or_refuses_it(text: str) -> None:
    assert _quick(text) == _strict(text)


_KEYS = st.sampled_from(["a", "b", "id", "kind", "x:y", "c d"])
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=6),
    st.text(max_size=4),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(st.tuples(_KEYS, inner), max_size=4),  # pairs: a key may come twice
    ),
    max_leaves=20,
)


def _written(value: Any) -> str:
    """JSON text of `value`, a list of pairs written as an object with its keys as given."""
    if isinstance(value, list) and value and all(isinstance(v, tuple) for v in value):
        return "{" + ",".join(f"{json.dumps(k)}:{_written(v)}" for k, v in value) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_written(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


@settings(max_examples=300, deadline=None)
@given(_VALUES)
def test_any_line_is_read_or_refused_as_the_strict_parse_reads_or_refuses_it(value: Any) -> None:
    text = _written(value)
    assert _quick(text) == _strict(text)
