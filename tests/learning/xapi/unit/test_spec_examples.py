"""Every example Statement in xAPI 1.0.3 Part Two is accepted, and so is what LMSs send."""

from __future__ import annotations

from typing import Any

import pytest

from services.learning.xapi import validate_statement

from . import spec_examples as spec
from .builders import COURSE, set_at, statement


@pytest.mark.parametrize(
    "example",
    [
        spec.SIMPLEST,
        spec.VOIDING,
        spec.COMMENT_ON_STATEMENT_REF,
        spec.PLANNED_SUBSTATEMENT,
        spec.APPENDIX_A_SIMPLE,
        spec.APPENDIX_A_ATTEMPTED,
        spec.APPENDIX_A_LONG,
        spec.APPENDIX_D_SIGNED,
    ],
    ids=[
        "simplest",
        "voiding",
        "comment-on-statement-ref",
        "planned-substatement",
        "appendix-a-simple",
        "appendix-a-attempted",
        "appendix-a-long",
        "appendix-d-signed",
    ],
)
def test_accepts_the_spec_example_statement(example: dict[str, Any]) -> None:
    validate_statement(example)


@pytest.mark.parametrize(
    "statement_object",
    [spec.OBJECT_ACTIVITY, spec.OBJECT_AGENT, spec.OBJECT_GROUP, spec.OBJECT_SUBSTATEMENT],
    ids=["activity", "agent", "identified-group", "substatement-with-statement-ref"],
)
def test_accepts_each_appendix_b_object_kind(statement_object: dict[str, Any]) -> None:
    validate_statement({**spec.SIMPLEST, "object": statement_object})


@pytest.mark.parametrize("interaction_type", sorted(spec.INTERACTION_DEFINITIONS))
def test_accepts_each_appendix_c_interaction_definition(interaction_type: str) -> None:
    definition = spec.INTERACTION_DEFINITIONS[interaction_type]
    validate_statement(set_at(spec.SIMPLEST, "object.definition", definition))


def test_accepts_the_oauth_consumer_and_user_pair_as_authority() -> None:
    validate_statement({**spec.SIMPLEST, "authority": spec.OAUTH_AUTHORITY})


def test_accepts_a_statement_shaped_like_an_lms_sends_it() -> None:
    validate_statement(statement())


def test_accepts_a_single_activity_as_a_context_activities_value() -> None:
    # Allowed so that 0.95 Statements stay valid (Data §2.4.6.2).
    validate_statement(set_at(statement(), "context.contextActivities.parent", {"id": COURSE}))


def test_accepts_a_statement_without_any_optional_property() -> None:
    minimal = statement()
    for optional in ("id", "result", "context", "timestamp"):
        del minimal[optional]
    validate_statement(minimal)


def test_validation_leaves_the_statement_unchanged() -> None:
    original = statement()
    validate_statement(original)
    assert original == statement()
