"""Which parts of a Statement the GET /statements filters look at (Communication §2.1.3).

Each Statement is reduced to *references*: (role, identity) pairs for Agents and
(role, id) pairs for Activities. A filter matches when a reference with the wanted
identity sits in one of the roles the filter covers:

- `agent`: roles `actor`, `object`; with `related_agents=true` also `authority`,
  `instructor`, `team` and the same roles inside a SubStatement. A Group in a role
  also places each of its members in that role (`via_member`), since "Groups that
  have members which match the specified Agent ... are considered a match".
- `activity`: role `object`; with `related_activities=true` also every
  contextActivities kind and the same roles inside a SubStatement.

The storage layer can index these references (one row per reference) and turn a
filter into `role = ANY(:roles) AND key = :key`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from uuid import UUID

from .agents import AgentIdentity, agent_identity
from .context import CONTEXT_ACTIVITY_KINDS
from .structure import JsonObject
from .validation import VOIDED_VERB

SUBSTATEMENT = "substatement."
_DIRECT_AGENT_ROLES = frozenset({"actor", "object"})
_RELATED_AGENT_ROLES = frozenset({"actor", "object", "authority", "instructor", "team"})
_CONTEXT_ACTIVITY_ROLES = frozenset(f"context.{kind}" for kind in CONTEXT_ACTIVITY_KINDS)


@dataclass(frozen=True)
class AgentReference:
    """An Agent or identified Group found in `role`; `via_member` if as a Group member."""

    role: str
    identity: AgentIdentity
    via_member: bool = False


@dataclass(frozen=True)
class ActivityReference:
    """An Activity id found in `role` (`object`, `context.parent`, ...)."""

    role: str
    activity_id: str


def agent_roles(related_agents: bool) -> frozenset[str]:
    """The roles the `agent` filter looks at."""
    if not related_agents:
        return _DIRECT_AGENT_ROLES
    substatement_roles = {SUBSTATEMENT + role for role in _RELATED_AGENT_ROLES - {"authority"}}
    return _RELATED_AGENT_ROLES | substatement_roles


def activity_roles(related_activities: bool) -> frozenset[str]:
    """The roles the `activity` filter looks at."""
    if not related_activities:
        return frozenset({"object"})
    roles = {"object", *_CONTEXT_ACTIVITY_ROLES}
    return frozenset(roles | {SUBSTATEMENT + role for role in roles})


def agent_references(statement: JsonObject) -> tuple[AgentReference, ...]:
    """Every Agent and identified Group in the Statement, with its role."""
    found: list[AgentReference] = []
    _collect_agents(statement, "", found)
    substatement = _substatement(statement)
    if substatement is not None:
        _collect_agents(substatement, SUBSTATEMENT, found)
    return tuple(found)


def activity_references(statement: JsonObject) -> tuple[ActivityReference, ...]:
    """Every Activity in the Statement (Object and contextActivities), with its role."""
    found: list[ActivityReference] = []
    _collect_activities(statement, "", found)
    substatement = _substatement(statement)
    if substatement is not None:
        _collect_activities(substatement, SUBSTATEMENT, found)
    return tuple(found)


def mentions_agent(statement: JsonObject, wanted: AgentIdentity, related_agents: bool) -> bool:
    """Whether the Statement itself matches the `agent` filter (no StatementRef rule)."""
    roles = agent_roles(related_agents)
    return any(ref.identity == wanted and ref.role in roles for ref in agent_references(statement))


def mentions_activity(statement: JsonObject, activity_id: str, related_activities: bool) -> bool:
    """Whether the Statement itself matches the `activity` filter (no StatementRef rule)."""
    roles = activity_roles(related_activities)
    return any(
        ref.activity_id == activity_id and ref.role in roles
        for ref in activity_references(statement)
    )


def verb_id(statement: JsonObject) -> str | None:
    """The Verb id, which the `verb` filter compares exactly."""
    verb = statement.get("verb")
    value = verb.get("id") if isinstance(verb, Mapping) else None
    return value if isinstance(value, str) else None


def registration(statement: JsonObject) -> UUID | None:
    """The top-level context registration, which the `registration` filter compares."""
    context = statement.get("context")
    value = context.get("registration") if isinstance(context, Mapping) else None
    return UUID(value) if isinstance(value, str) else None


def statement_ref_target(statement: JsonObject) -> UUID | None:
    """The id of the Statement this one targets through a StatementRef Object."""
    statement_object = statement.get("object")
    if (
        isinstance(statement_object, Mapping)
        and statement_object.get("objectType") == "StatementRef"
    ):
        return UUID(str(statement_object["id"]))
    return None


def voided_target(statement: JsonObject) -> UUID | None:
    """The id this Statement voids, if it is a voiding Statement."""
    return statement_ref_target(statement) if verb_id(statement) == VOIDED_VERB else None


def _substatement(statement: JsonObject) -> JsonObject | None:
    statement_object = statement.get("object")
    if (
        isinstance(statement_object, Mapping)
        and statement_object.get("objectType") == "SubStatement"
    ):
        return statement_object
    return None


def _collect_agents(statement: JsonObject, prefix: str, found: list[AgentReference]) -> None:
    statement_object = statement.get("object")
    context = statement.get("context")
    context = context if isinstance(context, Mapping) else {}
    in_roles = {
        "actor": statement.get("actor"),
        "object": statement_object
        if isinstance(statement_object, Mapping)
        and statement_object.get("objectType") in ("Agent", "Group")
        else None,
        "authority": statement.get("authority"),
        "instructor": context.get("instructor"),
        "team": context.get("team"),
    }
    for role, actor in in_roles.items():
        if not isinstance(actor, Mapping):
            continue
        identity = agent_identity(actor)
        if identity is not None:
            found.append(AgentReference(prefix + role, identity))
        members = actor.get("member") if actor.get("objectType") == "Group" else None
        for member in members if isinstance(members, list) else ():
            member_identity = agent_identity(member) if isinstance(member, Mapping) else None
            if member_identity is not None:
                found.append(AgentReference(prefix + role, member_identity, via_member=True))


def _collect_activities(statement: JsonObject, prefix: str, found: list[ActivityReference]) -> None:
    statement_object = statement.get("object")
    if (
        isinstance(statement_object, Mapping)
        and statement_object.get("objectType", "Activity") == "Activity"
    ):
        found.append(ActivityReference(prefix + "object", str(statement_object["id"])))
    context = statement.get("context")
    context_activities = context.get("contextActivities") if isinstance(context, Mapping) else None
    if not isinstance(context_activities, Mapping):
        return
    for kind, activities in context_activities.items():
        for activity in activities if isinstance(activities, list) else [activities]:
            if isinstance(activity, Mapping):
                found.append(ActivityReference(f"{prefix}context.{kind}", str(activity["id"])))
