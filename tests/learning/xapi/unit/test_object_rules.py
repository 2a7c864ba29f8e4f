"""Verbs and Objects (Data §2.4.3-§2.4.4): Activities, definitions, interactions,
StatementRefs, SubStatements and the voiding rule."""

from __future__ import annotations

from typing import Any

import pytest

from services.learning.xapi import VOIDED_VERB, validate_statement

from . import spec_examples as spec
from .builders import REGISTRATION, activity, mailbox, set_at, statement, verb
from .rejections import rejection

STATEMENT_REF = {"objectType": "StatementRef", "id": "8f87ccde-bb56-4c2e-ab83-44982ef22df0"}


def choice_question(**overrides: Any) -> dict[str, Any]:
    return {**spec.INTERACTION_DEFINITIONS["choice"], **overrides}


def substatement(**overrides: Any) -> dict[str, Any]:
    return {**spec.PLANNED_SUBSTATEMENT["object"], **overrides}


@pytest.mark.parametrize("verb_id", ["passed", "/verbs/passed", "http://example.com/ verbs"])
def test_rejects_a_verb_id_that_is_not_an_iri(verb_id: str) -> None:
    assert rejection(statement(verb=verb(verb_id))).path == "verb.id"


def test_rejects_a_verb_without_id() -> None:
    assert rejection(statement(verb={"display": {"en-US": "passed"}})).path == "verb.id"


def test_rejects_a_verb_display_keyed_by_an_invalid_language_tag() -> None:
    failure = rejection(statement(verb={"id": "http://x.example/v", "display": {"en_US": "did"}}))
    assert failure.path == 'verb.display["en_US"]'


def test_rejects_a_verb_display_value_that_is_not_a_string() -> None:
    failure = rejection(statement(verb={"id": "http://x.example/v", "display": {"en": 1}}))
    assert failure.path == 'verb.display["en"]'


def test_rejects_an_activity_id_that_is_not_an_iri() -> None:
    assert rejection(statement(object=activity("modules/3"))).path == "object.id"


def test_rejects_an_activity_without_id() -> None:
    assert rejection(statement(object={"objectType": "Activity"})).path == "object.id"


@pytest.mark.parametrize("object_type", ["activity", "Person", ""])
def test_rejects_an_object_type_outside_the_spec(object_type: str) -> None:
    invalid = statement(object=activity(objectType=object_type))
    assert rejection(invalid).path == "object.objectType"


def test_rejects_an_agent_as_object_without_object_type() -> None:
    invalid = statement(object={"mbox": "mailto:bo@example.org"})
    assert rejection(invalid).path == "object.objectType"


def test_accepts_an_agent_as_object_with_object_type() -> None:
    validate_statement(statement(object=mailbox("bo@example.org"), context={}))


@pytest.mark.parametrize(
    ("field", "value", "path"),
    [
        ("title", "Team meetings", "object.definition.title"),
        ("name", "Team meetings", "object.definition.name"),
        ("name", {"en_US": "Team meetings"}, 'object.definition.name["en_US"]'),
        ("description", {"en-US": 3}, 'object.definition.description["en-US"]'),
        ("type", "module", "object.definition.type"),
        ("moreInfo", "/modules/3", "object.definition.moreInfo"),
        ("extensions", {"colour": "blue"}, 'object.definition.extensions["colour"]'),
    ],
)
def test_rejects_a_malformed_activity_definition(field: str, value: object, path: str) -> None:
    assert rejection(set_at(statement(), f"object.definition.{field}", value)).path == path


@pytest.mark.parametrize("interaction_type", ["Choice", "multiple-choice", ""])
def test_rejects_an_interaction_type_outside_the_spec(interaction_type: str) -> None:
    invalid = set_at(statement(), "object.definition", choice_question())
    invalid = set_at(invalid, "object.definition.interactionType", interaction_type)
    assert rejection(invalid).path == "object.definition.interactionType"


def test_rejects_interaction_properties_without_an_interaction_type() -> None:
    definition = {"correctResponsesPattern": ["golf"]}
    invalid = set_at(statement(), "object.definition", definition)
    assert rejection(invalid).path == "object.definition.interactionType"


def test_rejects_a_correct_responses_pattern_that_is_not_an_array_of_strings() -> None:
    invalid = set_at(statement(), "object.definition", choice_question())
    as_string = set_at(invalid, "object.definition.correctResponsesPattern", "golf")
    with_number = set_at(invalid, "object.definition.correctResponsesPattern", [1])
    assert rejection(as_string).path == "object.definition.correctResponsesPattern"
    assert rejection(with_number).path == "object.definition.correctResponsesPattern[0]"


def test_rejects_a_component_list_the_interaction_type_does_not_support() -> None:
    definition = {**spec.INTERACTION_DEFINITIONS["true-false"], "choices": [{"id": "true"}]}
    invalid = set_at(statement(), "object.definition", definition)
    assert rejection(invalid).path == "object.definition.choices"


def test_rejects_interaction_components_with_the_same_id() -> None:
    choices = [{"id": "golf"}, {"id": "golf"}]
    invalid = set_at(statement(), "object.definition", choice_question(choices=choices))
    assert rejection(invalid).path == "object.definition.choices[1].id"


@pytest.mark.parametrize(
    ("component", "path"),
    [
        ({"description": {"en-US": "Golf"}}, "object.definition.choices[0].id"),
        ({"id": 1}, "object.definition.choices[0].id"),
        ({"id": "golf", "label": "Golf"}, "object.definition.choices[0].label"),
        (
            {"id": "golf", "description": {"EN US": "Golf"}},
            'object.definition.choices[0].description["EN US"]',
        ),
    ],
)
def test_rejects_a_malformed_interaction_component(component: dict[str, Any], path: str) -> None:
    invalid = set_at(statement(), "object.definition", choice_question(choices=[component]))
    assert rejection(invalid).path == path


def test_accepts_a_statement_ref_as_object() -> None:
    validate_statement(statement(object=STATEMENT_REF, context={"registration": REGISTRATION}))


@pytest.mark.parametrize(
    ("ref", "path"),
    [
        ({"objectType": "StatementRef", "id": "42"}, "object.id"),
        ({"objectType": "StatementRef"}, "object.id"),
        ({**STATEMENT_REF, "definition": {}}, "object.definition"),
    ],
    ids=["non-uuid-id", "no-id", "extra-property"],
)
def test_rejects_a_malformed_statement_ref(ref: dict[str, Any], path: str) -> None:
    assert rejection(statement(object=ref, context={})).path == path


@pytest.mark.parametrize("forbidden", ["id", "stored", "version", "authority"])
def test_rejects_a_substatement_with_a_property_only_statements_have(forbidden: str) -> None:
    value = {"authority": mailbox("lms@example.org")}.get(forbidden, "1.0.0")
    invalid = statement(object=substatement(**{forbidden: value}), context={})
    assert rejection(invalid).path == f"object.{forbidden}"


def test_rejects_a_substatement_nested_in_a_substatement() -> None:
    nested = substatement(object=substatement())
    failure = rejection(statement(object=nested, context={}))
    assert failure.path == "object.object.objectType"


def test_validates_a_substatement_as_a_statement() -> None:
    invalid = substatement(actor={"mbox": "test@example.com"})
    assert rejection(statement(object=invalid, context={})).path == "object.actor.mbox"


def test_validates_a_substatement_on_its_own_when_asked() -> None:
    validate_statement(substatement(), is_substatement=True)
    assert rejection(substatement(objectType="Activity"), is_substatement=True).path == (
        "objectType"
    )


def test_rejects_a_voiding_statement_whose_object_is_not_a_statement_ref() -> None:
    invalid = statement(verb=verb(VOIDED_VERB))
    assert rejection(invalid).path == "object.objectType"


def test_accepts_a_voiding_statement_targeting_a_statement_ref() -> None:
    validate_statement(statement(verb=verb(VOIDED_VERB), object=STATEMENT_REF, context={}))
