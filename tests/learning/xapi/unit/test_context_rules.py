"""Context (Data §2.4.6): registration, contextActivities, revision/platform, language."""

from __future__ import annotations

import pytest

from services.learning.xapi import validate_statement

from .builders import COURSE, mailbox, set_at, statement
from .rejections import rejection

STATEMENT_REF = {"objectType": "StatementRef", "id": "8f87ccde-bb56-4c2e-ab83-44982ef22df0"}


def test_rejects_a_registration_that_is_not_a_uuid() -> None:
    invalid = set_at(statement(), "context.registration", "attempt-1")
    assert rejection(invalid).path == "context.registration"


@pytest.mark.parametrize("activity_only", ["revision", "platform"])
@pytest.mark.parametrize(
    "statement_object", [mailbox("bo@example.org"), STATEMENT_REF], ids=["agent", "statement-ref"]
)
def test_rejects_revision_and_platform_when_the_object_is_not_an_activity(
    activity_only: str, statement_object: dict[str, object]
) -> None:
    invalid = statement(object=statement_object, context={activity_only: "v2"})
    assert rejection(invalid).path == f"context.{activity_only}"


def test_accepts_revision_and_platform_when_the_object_is_an_activity() -> None:
    validate_statement(set_at(statement(), "context.revision", "2024-05 spelling fix"))


def test_applies_the_revision_rule_to_a_substatements_own_object() -> None:
    inner = {
        "objectType": "SubStatement",
        "actor": mailbox("ana@example.org"),
        "verb": {"id": "http://example.com/mentored"},
        "object": mailbox("bo@example.org"),
        "context": {"revision": "2"},
    }
    assert rejection(statement(object=inner, context={})).path == "object.context.revision"


def test_rejects_a_context_activities_kind_outside_the_spec() -> None:
    invalid = set_at(statement(), "context.contextActivities.parents", [{"id": COURSE}])
    assert rejection(invalid).path == "context.contextActivities.parents"


def test_rejects_a_context_activity_whose_id_is_not_an_iri() -> None:
    invalid = set_at(statement(), "context.contextActivities.parent[0].id", "course-101")
    assert rejection(invalid).path == "context.contextActivities.parent[0].id"


def test_rejects_a_context_activities_value_that_is_not_an_activity() -> None:
    invalid = set_at(statement(), "context.contextActivities.grouping", COURSE)
    assert rejection(invalid).path == "context.contextActivities.grouping"


@pytest.mark.parametrize("language", ["englishman", "en_US", "e", ""])
def test_rejects_a_context_language_that_is_not_a_language_tag(language: str) -> None:
    invalid = set_at(statement(), "context.language", language)
    assert rejection(invalid).path == "context.language"


def test_rejects_a_context_statement_that_is_not_a_statement_ref() -> None:
    invalid = set_at(statement(), "context.statement", {"id": STATEMENT_REF["id"]})
    assert rejection(invalid).path == "context.statement.objectType"


def test_accepts_a_statement_ref_as_context_statement() -> None:
    validate_statement(set_at(statement(), "context.statement", STATEMENT_REF))


def test_rejects_a_context_extension_key_that_is_not_an_iri() -> None:
    invalid = set_at(statement(), "context.extensions", {"sessionid": "s-42"})
    assert rejection(invalid).path == 'context.extensions["sessionid"]'


def test_rejects_an_unknown_context_property() -> None:
    invalid = set_at(statement(), "context.course", COURSE)
    assert rejection(invalid).path == "context.course"
