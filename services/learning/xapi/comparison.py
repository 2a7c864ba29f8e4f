"""Whether two Statements are the same Statement (Data §2.3.1, "Statement Comparison").

Used when a Statement id arrives again (identical: 204 / accepted, different: 409)
and when a signed Statement is checked against its JWS payload. Differences that an
*exception to immutability* could cause are ignored (§2.3.1.s9.b1); every other
difference counts, serialization included (§2.3.1.s9.b2). The exceptions:

- properties the LRS assigns: `id`, `authority`, `stored`, `version`, and `timestamp`
  when one side lacks it (the LRS filled it in);
- a timestamp written in another time zone or precision (compared as an instant, to
  the millisecond);
- Activity Definitions and Verb displays (not part of the Statement);
- the order of a Group's members;
- Attachments;
- the case of an e-mail domain;
- a single contextActivities Activity versus an array of one (the LRS stores arrays).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .formats import parse_timestamp
from .structure import JsonObject

_ASSIGNED_BY_LRS = ("id", "authority", "stored", "version", "attachments")


def same_statement(first: JsonObject, second: JsonObject) -> bool:
    """Whether the two (valid) Statements differ only where immutability allows."""
    keep_timestamp = "timestamp" in first and "timestamp" in second
    return _comparable(first, keep_timestamp) == _comparable(second, keep_timestamp)


def _comparable(statement: JsonObject, keep_timestamp: bool) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in statement.items():
        if key in _ASSIGNED_BY_LRS or (key == "timestamp" and not keep_timestamp):
            continue
        if key == "timestamp":
            instant = parse_timestamp(str(value))
            result[key] = instant.replace(microsecond=instant.microsecond // 1000 * 1000)
        elif key in ("actor", "authority"):
            result[key] = _actor(value)
        elif key == "verb":
            result[key] = {k: v for k, v in _mapping(value).items() if k != "display"}
        elif key == "object":
            result[key] = _object(_mapping(value))
        elif key == "context":
            result[key] = _context(_mapping(value))
        else:
            result[key] = value
    return result


def _object(statement_object: JsonObject) -> Any:
    object_type = statement_object.get("objectType", "Activity")
    if object_type == "Activity":
        return _activity(statement_object)
    if object_type in ("Agent", "Group"):
        return _actor(statement_object)
    if object_type == "SubStatement":
        return _comparable(statement_object, keep_timestamp=True)
    return dict(statement_object)


def _activity(activity: object) -> Any:
    return {k: v for k, v in _mapping(activity).items() if k != "definition"}


def _actor(actor: object) -> Any:
    agent = dict(_mapping(actor))
    mbox = agent.get("mbox")
    if isinstance(mbox, str):
        local, _, domain = mbox.rpartition("@")
        agent["mbox"] = f"{local}@{domain.lower()}"
    members = agent.get("member")
    if isinstance(members, list):
        normalised = [_actor(member) for member in members]
        agent["member"] = sorted(normalised, key=lambda m: json.dumps(m, sort_keys=True))
    return agent


def _context(context: JsonObject) -> dict[str, Any]:
    result = dict(context)
    for role in ("instructor", "team"):
        if role in result:
            result[role] = _actor(result[role])
    kinds = context.get("contextActivities")
    if isinstance(kinds, Mapping):
        result["contextActivities"] = {
            kind: [_activity(a) for a in (value if isinstance(value, list) else [value])]
            for kind, value in kinds.items()
        }
    return result


def _mapping(value: object) -> JsonObject:
    return value if isinstance(value, Mapping) else {}
