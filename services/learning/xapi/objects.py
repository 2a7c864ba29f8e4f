"""The Object of a Statement (Data §2.4.4) other than a SubStatement.

The Object's `objectType` decides its shape: absent or "Activity", "Agent", "Group",
"StatementRef" or "SubStatement" (validated as a Statement in `validation`). Values
are case sensitive (Data §2.2.s4.b1.b6).
"""

from __future__ import annotations

from .activities import validate_activity
from .agents import IFI_KINDS, validate_actor
from .errors import StatementInvalid
from .structure import JsonObject, check_properties, child, require_object, require_uuid

OBJECT_TYPES = ("Activity", "Agent", "Group", "StatementRef", "SubStatement")
_STATEMENT_REF_PROPERTIES = frozenset({"objectType", "id"})


def object_type_of(statement_object: JsonObject) -> object:
    """The Object's `objectType`, defaulting to "Activity" when absent."""
    return statement_object.get("objectType", "Activity")


def validate_statement_ref(value: object, path: str) -> None:
    """A Statement Reference: `objectType` "StatementRef" and a UUID `id`."""
    ref = require_object(value, path, "a StatementRef")
    check_properties(
        ref,
        path,
        "a StatementRef",
        allowed=_STATEMENT_REF_PROPERTIES,
        required=_STATEMENT_REF_PROPERTIES,
    )
    if ref["objectType"] != "StatementRef":
        raise StatementInvalid("must be 'StatementRef'", child(path, "objectType"))
    require_uuid(ref["id"], child(path, "id"))


def validate_simple_object(statement_object: JsonObject, path: str) -> None:
    """An Activity, Agent, Group or StatementRef used as a Statement's Object."""
    object_type = object_type_of(statement_object)
    if object_type == "Activity":
        if "objectType" not in statement_object and _looks_like_agent(statement_object):
            raise StatementInvalid(
                "an Agent or Group used as the Object requires 'objectType'",
                child(path, "objectType"),
            )
        validate_activity(statement_object, path)
    elif object_type in ("Agent", "Group"):
        validate_actor(statement_object, path, object_type_required=True)
    elif object_type == "StatementRef":
        validate_statement_ref(statement_object, path)
    else:
        raise StatementInvalid(
            f"{object_type!r} is not one of {', '.join(OBJECT_TYPES)}", child(path, "objectType")
        )


def _looks_like_agent(statement_object: JsonObject) -> bool:
    # An Agent sent as Object without objectType would otherwise be reported as an
    # Activity with unknown properties, which hides the real mistake.
    return any(kind in statement_object for kind in (*IFI_KINDS, "member"))
