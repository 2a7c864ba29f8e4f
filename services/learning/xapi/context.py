"""The Context of a Statement (Data §2.4.6), including contextActivities (§2.4.6.2)."""

from __future__ import annotations

from .activities import validate_activity
from .agents import validate_actor, validate_group
from .errors import StatementInvalid
from .objects import validate_statement_ref
from .structure import (
    check_extensions,
    check_properties,
    child,
    item,
    require_language_tag,
    require_object,
    require_string,
    require_uuid,
)

CONTEXT_ACTIVITY_KINDS = ("parent", "grouping", "category", "other")
_CONTEXT_PROPERTIES = frozenset(
    {
        "registration",
        "instructor",
        "team",
        "contextActivities",
        "revision",
        "platform",
        "language",
        "statement",
        "extensions",
    }
)


def validate_context(value: object, path: str, *, object_is_activity: bool) -> None:
    """A Context; `revision` and `platform` only when the Object is an Activity."""
    context = require_object(value, path, "a Context")
    check_properties(context, path, "a Context", allowed=_CONTEXT_PROPERTIES)
    if "registration" in context:
        require_uuid(context["registration"], child(path, "registration"))
    if "instructor" in context:
        validate_actor(context["instructor"], child(path, "instructor"))
    if "team" in context:
        validate_group(context["team"], child(path, "team"))
    if "contextActivities" in context:
        validate_context_activities(context["contextActivities"], child(path, "contextActivities"))
    for activity_only in ("revision", "platform"):
        if activity_only in context:
            require_string(context[activity_only], child(path, activity_only))
            if not object_is_activity:
                raise StatementInvalid(
                    f"{activity_only!r} is only allowed when the Object is an Activity",
                    child(path, activity_only),
                )
    if "language" in context:
        require_language_tag(context["language"], child(path, "language"))
    if "statement" in context:
        validate_statement_ref(context["statement"], child(path, "statement"))
    if "extensions" in context:
        check_extensions(context["extensions"], child(path, "extensions"))


def validate_context_activities(value: object, path: str) -> None:
    """parent/grouping/category/other, each one Activity or an array of Activities."""
    context_activities = require_object(value, path, "contextActivities")
    check_properties(
        context_activities,
        path,
        "contextActivities",
        allowed=frozenset(CONTEXT_ACTIVITY_KINDS),
    )
    for kind, activities in context_activities.items():
        kind_path = child(path, kind)
        if isinstance(activities, list):
            for index, activity in enumerate(activities):
                validate_activity(activity, item(kind_path, index))
        else:
            validate_activity(activities, kind_path)
