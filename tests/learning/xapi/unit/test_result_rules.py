"""Result and Score (Data §2.4.5): numeric ranges, booleans, duration, extensions."""

from __future__ import annotations

import pytest

from services.learning.xapi import validate_statement

from .builders import set_at, statement
from .rejections import rejection


def scored(**score: object) -> dict[str, object]:
    return set_at(statement(), "result.score", score)


@pytest.mark.parametrize("scaled", [-1, -0.5, 0, 1, 1.0])
def test_accepts_a_scaled_score_from_minus_one_to_one(scaled: float) -> None:
    validate_statement(scored(scaled=scaled))


@pytest.mark.parametrize("scaled", [1.5, -1.01, 100])
def test_rejects_a_scaled_score_outside_minus_one_to_one(scaled: float) -> None:
    assert rejection(scored(scaled=scaled)).path == "result.score.scaled"


def test_rejects_a_raw_score_above_max() -> None:
    assert rejection(scored(raw=101, min=0, max=100)).path == "result.score.raw"


def test_rejects_a_raw_score_below_min() -> None:
    assert rejection(scored(raw=-1, min=0, max=100)).path == "result.score.raw"


def test_checks_raw_against_whichever_bound_is_given() -> None:
    validate_statement(scored(raw=100, max=100))
    assert rejection(scored(raw=101, max=100)).path == "result.score.raw"
    assert rejection(scored(raw=-1, min=0)).path == "result.score.raw"


@pytest.mark.parametrize(("low", "high"), [(100, 0), (50, 50)])
def test_rejects_a_min_not_less_than_max(low: float, high: float) -> None:
    # The spec: min is "less than max", max "greater than min".
    assert rejection(scored(min=low, max=high)).path == "result.score.min"


@pytest.mark.parametrize("value", ["0.85", True, None, [0.85]])
def test_rejects_a_score_that_is_not_a_number(value: object) -> None:
    assert rejection(scored(scaled=value)).path == "result.score.scaled"


def test_rejects_an_unknown_score_property() -> None:
    assert rejection(scored(percent=85)).path == "result.score.percent"


@pytest.mark.parametrize("flag", ["success", "completion"])
@pytest.mark.parametrize("value", ["true", 1, "yes"])
def test_rejects_success_and_completion_that_are_not_booleans(flag: str, value: object) -> None:
    assert rejection(set_at(statement(), f"result.{flag}", value)).path == f"result.{flag}"


def test_rejects_a_response_that_is_not_a_string() -> None:
    assert rejection(set_at(statement(), "result.response", 42)).path == "result.response"


@pytest.mark.parametrize(
    "duration", ["PT1H0M0S", "PT1234S", "P3Y1M29DT4H35M59.14S", "P4W", "PT0.5H"]
)
def test_accepts_an_iso_8601_duration(duration: str) -> None:
    validate_statement(set_at(statement(), "result.duration", duration))


@pytest.mark.parametrize(
    "duration", ["1h", "PT", "P", "P4W1D", "PT1.5H30M", "-PT5M", "P0003-01-29T04:35:59", 60]
)
def test_rejects_a_duration_that_is_not_iso_8601(duration: object) -> None:
    assert rejection(set_at(statement(), "result.duration", duration)).path == "result.duration"


def test_rejects_a_result_extension_key_that_is_not_an_iri() -> None:
    invalid = set_at(statement(), "result.extensions", {"progress": 100})
    assert rejection(invalid).path == 'result.extensions["progress"]'


def test_accepts_any_value_under_an_extension_key() -> None:
    extensions = {"https://x.example/a": [1, {"b": None}], "https://x.example/c": "d"}
    validate_statement(set_at(statement(), "result.extensions", extensions))
