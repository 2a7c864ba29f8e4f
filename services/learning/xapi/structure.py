"""Path-aware checks shared by every part of a Statement.

Each `require_*` returns the value with a narrowed type or raises `StatementInvalid`
naming where in the Statement the problem is. JSON types are checked strictly
(Data §2.2.s4.b1): `true` is not a number, `"1"` is not a number, `1.0` is not an
integer, and `null` is rejected everywhere except inside extensions.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence

from .errors import StatementInvalid
from .formats import is_iri, is_irl, is_language_tag, is_uuid

JsonObject = Mapping[str, object]


def child(path: str, key: str) -> str:
    """The path of property `key` inside the value at `path`."""
    return f"{path}.{key}" if path else key


def item(path: str, index: int) -> str:
    """The path of element `index` inside the array at `path`."""
    return f"{path}[{index}]"


def keyed(path: str, key: str) -> str:
    """The path of a free-form map key (language tag, extension IRI) at `path`."""
    return f"{path}[{json.dumps(key, ensure_ascii=False)}]"


def require_object(value: object, path: str, kind: str) -> JsonObject:
    """A JSON object whose keys are strings; `kind` names it in the error."""
    if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
        raise StatementInvalid(f"{kind} must be a JSON object", path)
    return value


def check_properties(
    obj: JsonObject,
    path: str,
    kind: str,
    *,
    allowed: frozenset[str],
    required: frozenset[str] = frozenset(),
) -> None:
    """Reject properties the spec does not define for `kind`, missing ones, and nulls.

    Property names are case sensitive (Data §2.2.s4.b1.b5), so `Actor` is unknown.
    """
    for key, value in obj.items():
        if key not in allowed:
            raise StatementInvalid(f"{key!r} is not a property of {kind}", child(path, key))
        if value is None:
            raise StatementInvalid("must not be null", child(path, key))
    for key in sorted(required - obj.keys()):
        raise StatementInvalid(f"{kind} requires {key!r}", child(path, key))


def require_string(value: object, path: str) -> str:
    """A JSON string."""
    if not isinstance(value, str):
        raise StatementInvalid("must be a string", path)
    return value


def require_bool(value: object, path: str) -> bool:
    """A JSON boolean (`"true"` is a string, not a boolean)."""
    if not isinstance(value, bool):
        raise StatementInvalid("must be a boolean", path)
    return value


def require_number(value: object, path: str) -> float:
    """A finite JSON number."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise StatementInvalid("must be a number", path)
    if not math.isfinite(value):
        raise StatementInvalid("must be a finite number", path)
    return float(value)


def require_integer(value: object, path: str) -> int:
    """A JSON integer."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise StatementInvalid("must be an integer", path)
    return value


def require_array(value: object, path: str) -> Sequence[object]:
    """A JSON array."""
    if not isinstance(value, list | tuple):
        raise StatementInvalid("must be an array", path)
    return value


def require_format(value: object, path: str, is_valid: Callable[[str], bool], what: str) -> str:
    """A string that `is_valid` accepts; `what` names the format in the error."""
    text = require_string(value, path)
    if not is_valid(text):
        raise StatementInvalid(f"{text!r} is not {what}", path)
    return text


def require_iri(value: object, path: str) -> str:
    """An absolute IRI."""
    return require_format(value, path, is_iri, "an absolute IRI")


def require_irl(value: object, path: str) -> str:
    """A resolvable IRI (IRL)."""
    return require_format(value, path, is_irl, "an IRL")


def require_uuid(value: object, path: str) -> str:
    """A UUID in standard string form."""
    return require_format(value, path, is_uuid, "a UUID in standard string form")


def require_language_tag(value: object, path: str) -> str:
    """An RFC 5646 language tag."""
    return require_format(value, path, is_language_tag, "an RFC 5646 language tag")


def check_language_map(value: object, path: str) -> None:
    """A Language Map (Data §4.2): RFC 5646 tags mapped to strings."""
    language_map = require_object(value, path, "a language map")
    for tag, text in language_map.items():
        if not is_language_tag(tag):
            raise StatementInvalid(f"{tag!r} is not an RFC 5646 language tag", keyed(path, tag))
        require_string(text, keyed(path, tag))


def check_extensions(value: object, path: str) -> None:
    """An extensions map (Data §4.1): IRI keys; values are never judged (§4.1.s3.b2)."""
    extensions = require_object(value, path, "extensions")
    for key in extensions:
        if not is_iri(key):
            raise StatementInvalid(
                f"extension key {key!r} is not an absolute IRI", keyed(path, key)
            )
