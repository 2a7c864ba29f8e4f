"""The Result of a Statement (Data §2.4.5) and its Score (§2.4.5.1)."""

from __future__ import annotations

from .errors import StatementInvalid
from .formats import is_duration
from .structure import (
    check_extensions,
    check_properties,
    child,
    require_bool,
    require_format,
    require_number,
    require_object,
    require_string,
)

_RESULT_PROPERTIES = frozenset(
    {"score", "success", "completion", "response", "duration", "extensions"}
)
_SCORE_PROPERTIES = frozenset({"scaled", "raw", "min", "max"})


def validate_result(value: object, path: str) -> None:
    """A Result: score, boolean success/completion, string response, ISO duration."""
    result = require_object(value, path, "a Result")
    check_properties(result, path, "a Result", allowed=_RESULT_PROPERTIES)
    if "score" in result:
        validate_score(result["score"], child(path, "score"))
    for flag in ("success", "completion"):
        if flag in result:
            require_bool(result[flag], child(path, flag))
    if "response" in result:
        require_string(result["response"], child(path, "response"))
    if "duration" in result:
        require_format(
            result["duration"], child(path, "duration"), is_duration, "an ISO 8601 duration"
        )
    if "extensions" in result:
        check_extensions(result["extensions"], child(path, "extensions"))


def validate_score(value: object, path: str) -> None:
    """A Score: scaled in [-1, 1]; min less than max; raw within whichever bounds exist."""
    score = require_object(value, path, "a Score")
    check_properties(score, path, "a Score", allowed=_SCORE_PROPERTIES)
    numbers = {key: require_number(score[key], child(path, key)) for key in score}
    scaled = numbers.get("scaled")
    if scaled is not None and not -1 <= scaled <= 1:
        raise StatementInvalid("must be between -1 and 1 inclusive", child(path, "scaled"))
    low, high, raw = numbers.get("min"), numbers.get("max"), numbers.get("raw")
    if low is not None and high is not None and not low < high:
        raise StatementInvalid("must be less than max", child(path, "min"))
    if raw is not None and low is not None and raw < low:
        raise StatementInvalid("must not be less than min", child(path, "raw"))
    if raw is not None and high is not None and raw > high:
        raise StatementInvalid("must not be greater than max", child(path, "raw"))
