"""Canonical Activity definitions: what the LRS keeps of the definitions it receives.

The latest definition of an Activity wins property by property, except its language
maps (`name`, `description`), which merge language by language — so a Statement in
Spanish adds the Spanish name without dropping the English one (Data §2.4.4.1.s4).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence

from .context import CONTEXT_ACTIVITY_KINDS
from .structure import JsonObject

_LANGUAGE_MAPS = ("name", "description")


def merge_definitions(
    stored: Mapping[str, object] | None, received: Mapping[str, object]
) -> dict[str, object]:
    """`received` laid over `stored`, language maps merged."""
    merged = copy.deepcopy(dict(stored or {}))
    for key, value in received.items():
        previous = merged.get(key)
        if key in _LANGUAGE_MAPS and isinstance(previous, dict) and isinstance(value, Mapping):
            merged[key] = {**previous, **copy.deepcopy(dict(value))}
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def activity_definitions(statements: Sequence[JsonObject]) -> dict[str, dict[str, object]]:
    """The Activity definitions the Statements carry, later ones merged over earlier ones."""
    merged: dict[str, dict[str, object]] = {}
    for statement in statements:
        for activity in _activities(statement):
            definition = activity.get("definition")
            if isinstance(definition, Mapping):
                activity_id = str(activity["id"])
                merged[activity_id] = merge_definitions(merged.get(activity_id), definition)
    return dict(sorted(merged.items()))


def _activities(statement: JsonObject) -> list[JsonObject]:
    found: list[JsonObject] = []
    owners = [statement]
    if (
        isinstance(sub := statement.get("object"), Mapping)
        and sub.get("objectType") == "SubStatement"
    ):
        owners.append(sub)
    for owner in owners:
        statement_object = owner.get("object")
        if (
            isinstance(statement_object, Mapping)
            and statement_object.get("objectType", "Activity") == "Activity"
        ):
            found.append(statement_object)
        context = owner.get("context")
        kinds = context.get("contextActivities") if isinstance(context, Mapping) else None
        for kind in CONTEXT_ACTIVITY_KINDS if isinstance(kinds, Mapping) else ():
            assert isinstance(kinds, Mapping)
            value = kinds.get(kind)
            for activity in value if isinstance(value, list) else [value] if value else []:
                if isinstance(activity, Mapping):
                    found.append(activity)
    return found
