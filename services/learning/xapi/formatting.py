"""The `format` of returned Statements: exact, ids or canonical (Communication §2.1.3).

- `exact`: the Statement as stored.
- `ids`: Agents and Groups reduced to `objectType` plus their IFI (an anonymous Group
  to its members, reduced likewise), Activities to `objectType` and `id`, Verbs to `id`.
- `canonical`: Activity definitions and Verb displays replaced by the LRS's canonical
  ones when given, then every language map in them reduced to the one language the
  Accept-Language header prefers (§2.1.3.s4); Agents and Groups as in `exact`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from enum import StrEnum

from .activities import COMPONENT_LISTS
from .agents import IFI_KINDS
from .structure import JsonObject

_Rewrite = Callable[[JsonObject], dict[str, object]]
_COMPONENT_LIST_NAMES = sorted({name for names in COMPONENT_LISTS.values() for name in names})


class StatementFormat(StrEnum):
    """Values of the `format` parameter."""

    IDS = "ids"
    EXACT = "exact"
    CANONICAL = "canonical"


def format_statement(
    statement: JsonObject,
    statement_format: StatementFormat,
    languages: Sequence[str] = (),
    *,
    activity_definitions: Mapping[str, JsonObject] | None = None,
    verb_displays: Mapping[str, Mapping[str, str]] | None = None,
) -> dict[str, object]:
    """A copy of a stored Statement in the requested format.

    `languages` is the ordered preference from `parse_accept_language`. For
    `canonical`, `activity_definitions` (by Activity id) and `verb_displays` (by Verb
    id) are the LRS's canonical metadata; without them the Statement's own are used.
    """
    if statement_format is StatementFormat.EXACT:
        return copy.deepcopy(dict(statement))
    if statement_format is StatementFormat.IDS:
        return _rewrite(statement, actor=_ids_actor, verb=_ids_verb, activity=_ids_activity)
    definitions = activity_definitions or {}
    displays = verb_displays or {}
    return _rewrite(
        statement,
        actor=lambda actor: copy.deepcopy(dict(actor)),
        verb=lambda verb: _canonical_verb(verb, languages, displays),
        activity=lambda activity: _canonical_activity(activity, languages, definitions),
    )


def parse_accept_language(header: str | None) -> tuple[str, ...]:
    """Language ranges from an Accept-Language header, most preferred first.

    Ranges are ordered by quality value, ties kept in header order; ranges with
    `q=0` (not acceptable) are dropped. No header means any language will do.
    """
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate((header or "").split(",")):
        language_range, *parameters = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if language_range and quality > 0:
            weighted.append((-quality, position, language_range))
    return tuple(language_range for _, _, language_range in sorted(weighted))


def pick_language(language_map: Mapping[str, str], languages: Sequence[str]) -> dict[str, str]:
    """The single entry of `language_map` the preferences choose (RFC 2616 §14.4).

    A range matches a tag equal to it or starting with it followed by `-`; `*`
    matches any. When nothing matches, the map's first entry is returned, since the
    LRS MUST return exactly one language.
    """
    if not language_map:
        return {}
    for language_range in languages:
        wanted = language_range.lower()
        for tag, text in language_map.items():
            if wanted in ("*", tag.lower()) or tag.lower().startswith(wanted + "-"):
                return {tag: text}
    first = next(iter(language_map))
    return {first: language_map[first]}


def _rewrite(
    statement: JsonObject, *, actor: _Rewrite, verb: _Rewrite, activity: _Rewrite
) -> dict[str, object]:
    rewritten = copy.deepcopy(dict(statement))
    rewritten["actor"] = actor(_part(statement, "actor"))
    rewritten["verb"] = verb(_part(statement, "verb"))
    statement_object = _part(statement, "object")
    object_type = statement_object.get("objectType", "Activity")
    if object_type == "Activity":
        rewritten["object"] = activity(statement_object)
    elif object_type in ("Agent", "Group"):
        rewritten["object"] = actor(statement_object)
    elif object_type == "SubStatement":
        rewritten["object"] = _rewrite(statement_object, actor=actor, verb=verb, activity=activity)
    if isinstance(authority := statement.get("authority"), Mapping):
        rewritten["authority"] = actor(authority)
    if isinstance(context := statement.get("context"), Mapping):
        rewritten["context"] = _rewrite_context(context, actor=actor, activity=activity)
    return rewritten


def _part(statement: JsonObject, key: str) -> JsonObject:
    value = statement[key]
    if not isinstance(value, Mapping):
        raise TypeError(f"{key!r} is not an object: format only validated Statements")
    return value


def _rewrite_context(
    context: JsonObject, *, actor: _Rewrite, activity: _Rewrite
) -> dict[str, object]:
    rewritten = copy.deepcopy(dict(context))
    for role in ("instructor", "team"):
        if isinstance(agent := context.get(role), Mapping):
            rewritten[role] = actor(agent)
    context_activities = context.get("contextActivities")
    if isinstance(context_activities, Mapping):
        rewritten["contextActivities"] = {
            kind: [activity(a) for a in value] if isinstance(value, list) else activity(value)
            for kind, value in context_activities.items()
        }
    return rewritten


def _ids_actor(actor: JsonObject) -> dict[str, object]:
    reduced: dict[str, object] = {}
    if "objectType" in actor:
        reduced["objectType"] = actor["objectType"]
    ifi = next((kind for kind in IFI_KINDS if kind in actor), None)
    if ifi is not None:
        reduced[ifi] = copy.deepcopy(actor[ifi])
    elif isinstance(members := actor.get("member"), list):
        reduced["member"] = [_ids_actor(member) for member in members]
    return reduced


def _ids_verb(verb: JsonObject) -> dict[str, object]:
    return {"id": verb["id"]}


def _ids_activity(activity: JsonObject) -> dict[str, object]:
    # the id alone: `objectType` "Activity" is the default, and the ADL suite (XAPI-00171)
    # wants a SubStatement's Activity reduced to one property
    return {"id": activity["id"]}


def _canonical_verb(
    verb: JsonObject, languages: Sequence[str], displays: Mapping[str, Mapping[str, str]]
) -> dict[str, object]:
    canonical = copy.deepcopy(dict(verb))
    display = displays.get(str(verb["id"]), verb.get("display"))
    if isinstance(display, Mapping):
        canonical["display"] = pick_language(display, languages)
    return canonical


def _canonical_activity(
    activity: JsonObject, languages: Sequence[str], definitions: Mapping[str, JsonObject]
) -> dict[str, object]:
    canonical = copy.deepcopy(dict(activity))
    definition = definitions.get(str(activity["id"]), activity.get("definition"))
    if not isinstance(definition, Mapping):
        return canonical
    filtered = copy.deepcopy(dict(definition))
    for language_map in ("name", "description"):
        if isinstance(value := definition.get(language_map), Mapping):
            filtered[language_map] = pick_language(value, languages)
    for list_name in _COMPONENT_LIST_NAMES:
        if isinstance(components := definition.get(list_name), list):
            filtered[list_name] = [_filter_component(c, languages) for c in components]
    canonical["definition"] = filtered
    return canonical


def _filter_component(component: object, languages: Sequence[str]) -> object:
    if not isinstance(component, Mapping):
        return component
    filtered = copy.deepcopy(dict(component))
    if isinstance(description := component.get("description"), Mapping):
        filtered["description"] = pick_language(description, languages)
    return filtered
