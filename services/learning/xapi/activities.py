"""Activities and Activity Definitions (Data §2.4.4.1), including interactions.

An Activity is an IRI `id` with an optional `definition`. A definition that uses any
interaction property (`correctResponsesPattern` or a component list) is an Interaction
Activity and MUST have a valid `interactionType` (§2.4.4.1.s13.b1); each component list
is allowed only for the interaction types that support it (§2.4.4.1.s15), and ids
within a list must be distinct (§2.4.4.1.s16.b1).
"""

from __future__ import annotations

from .errors import StatementInvalid
from .structure import (
    JsonObject,
    check_extensions,
    check_language_map,
    check_properties,
    child,
    item,
    require_array,
    require_iri,
    require_irl,
    require_object,
    require_string,
)

_ACTIVITY_PROPERTIES = frozenset({"objectType", "id", "definition"})
COMPONENT_LISTS: dict[str, frozenset[str]] = {
    "true-false": frozenset(),
    "choice": frozenset({"choices"}),
    "fill-in": frozenset(),
    "long-fill-in": frozenset(),
    "matching": frozenset({"source", "target"}),
    "performance": frozenset({"steps"}),
    "sequencing": frozenset({"choices"}),
    "likert": frozenset({"scale"}),
    "numeric": frozenset(),
    "other": frozenset(),
}
_ALL_COMPONENT_LISTS = frozenset({"choices", "scale", "source", "target", "steps"})
_DEFINITION_PROPERTIES = frozenset(
    {
        "name",
        "description",
        "type",
        "moreInfo",
        "extensions",
        "interactionType",
        "correctResponsesPattern",
        *_ALL_COMPONENT_LISTS,
    }
)
_COMPONENT_PROPERTIES = frozenset({"id", "description"})


def validate_activity(value: object, path: str) -> None:
    """An Activity: optional `objectType` "Activity", IRI `id`, optional definition."""
    activity = require_object(value, path, "an Activity")
    check_properties(
        activity, path, "an Activity", allowed=_ACTIVITY_PROPERTIES, required=frozenset({"id"})
    )
    if "objectType" in activity and activity["objectType"] != "Activity":
        raise StatementInvalid("must be 'Activity'", child(path, "objectType"))
    require_iri(activity["id"], child(path, "id"))
    if "definition" in activity:
        validate_definition(activity["definition"], child(path, "definition"))


def validate_definition(value: object, path: str) -> None:
    """An Activity Definition (Data §2.4.4.1.s2 and Interaction Activities)."""
    definition = require_object(value, path, "an Activity Definition")
    check_properties(definition, path, "an Activity Definition", allowed=_DEFINITION_PROPERTIES)
    for language_map in ("name", "description"):
        if language_map in definition:
            check_language_map(definition[language_map], child(path, language_map))
    if "type" in definition:
        require_iri(definition["type"], child(path, "type"))
    if "moreInfo" in definition:
        require_irl(definition["moreInfo"], child(path, "moreInfo"))
    if "extensions" in definition:
        check_extensions(definition["extensions"], child(path, "extensions"))
    _validate_interaction(definition, path)


def _validate_interaction(definition: JsonObject, path: str) -> None:
    uses_interaction = "correctResponsesPattern" in definition or bool(
        _ALL_COMPONENT_LISTS & definition.keys()
    )
    if "interactionType" not in definition:
        if uses_interaction:
            raise StatementInvalid(
                "an Interaction Activity requires 'interactionType'",
                child(path, "interactionType"),
            )
        return
    interaction_type = require_string(definition["interactionType"], child(path, "interactionType"))
    if interaction_type not in COMPONENT_LISTS:
        raise StatementInvalid(
            f"{interaction_type!r} is not an interactionType ({', '.join(COMPONENT_LISTS)})",
            child(path, "interactionType"),
        )
    if "correctResponsesPattern" in definition:
        patterns_path = child(path, "correctResponsesPattern")
        patterns = require_array(definition["correctResponsesPattern"], patterns_path)
        for index, pattern in enumerate(patterns):
            require_string(pattern, item(patterns_path, index))
    supported = COMPONENT_LISTS[interaction_type]
    for list_name in sorted(_ALL_COMPONENT_LISTS & definition.keys()):
        list_path = child(path, list_name)
        if list_name not in supported:
            raise StatementInvalid(
                f"interactionType {interaction_type!r} does not support {list_name!r}", list_path
            )
        _validate_components(definition[list_name], list_path)


def _validate_components(value: object, path: str) -> None:
    seen: set[str] = set()
    for index, component in enumerate(require_array(value, path)):
        component_path = item(path, index)
        fields = require_object(component, component_path, "an interaction component")
        check_properties(
            fields,
            component_path,
            "an interaction component",
            allowed=_COMPONENT_PROPERTIES,
            required=frozenset({"id"}),
        )
        component_id = require_string(fields["id"], child(component_path, "id"))
        if component_id in seen:
            raise StatementInvalid(
                f"interaction component id {component_id!r} is not distinct in this list",
                child(component_path, "id"),
            )
        seen.add(component_id)
        if "description" in fields:
            check_language_map(fields["description"], child(component_path, "description"))
