"""Returned Statement formats (Communication §2.1.3): exact, ids and canonical, with
language selection by Accept-Language (§2.1.3.s4)."""

from __future__ import annotations

from typing import Any

import pytest

from services.learning.xapi import (
    StatementFormat,
    format_statement,
    parse_accept_language,
    pick_language,
    validate_statement,
)

from . import spec_examples as spec
from .builders import COURSE, MODULE, learner, mailbox, set_at, statement, verb

MULTILINGUAL_VERB = verb(
    "http://adlnet.gov/expapi/verbs/attended",
    **{"en-GB": "attended", "en-US": "attended", "es": "asistió"},
)


def test_returns_the_stored_statement_unchanged_for_exact() -> None:
    original = statement()
    formatted = format_statement(original, StatementFormat.EXACT)
    assert formatted == original
    formatted["actor"]["name"] = "changed"
    assert original["actor"]["name"] == "Ana Learner"


def test_reduces_agents_verbs_and_activities_to_identifiers_for_ids() -> None:
    original = set_at(
        statement(), "context.instructor", {**mailbox("coach@example.org"), "name": "Coach"}
    )
    formatted = format_statement(original, StatementFormat.IDS)
    assert formatted["actor"] == {"objectType": "Agent", "account": original["actor"]["account"]}
    assert formatted["verb"] == {"id": original["verb"]["id"]}
    assert formatted["object"] == {"id": MODULE}
    assert formatted["context"]["instructor"] == mailbox("coach@example.org")
    assert formatted["context"]["contextActivities"]["parent"] == [{"id": COURSE}]
    assert formatted["result"] == original["result"]
    assert formatted["context"]["registration"] == original["context"]["registration"]


def test_reduces_an_anonymous_group_to_its_members_identifiers_for_ids() -> None:
    group = {
        "objectType": "Group",
        "name": "Team",
        "member": [learner(), {**mailbox("b@example.org"), "name": "Bo"}],
    }
    formatted = format_statement(statement(actor=group), StatementFormat.IDS)
    assert formatted["actor"] == {
        "objectType": "Group",
        "member": [
            {"objectType": "Agent", "account": learner()["account"]},
            mailbox("b@example.org"),
        ],
    }


def test_reduces_an_identified_group_to_its_own_identifier_for_ids() -> None:
    formatted = format_statement(spec.APPENDIX_A_LONG, StatementFormat.IDS)
    assert formatted["actor"] == {"objectType": "Group", "mbox": "mailto:teampb@example.com"}
    assert formatted["authority"] == {
        "objectType": "Agent",
        "account": spec.APPENDIX_A_LONG["authority"]["account"],
    }


def test_reduces_the_parts_of_a_substatement_for_ids() -> None:
    formatted = format_statement(spec.PLANNED_SUBSTATEMENT, StatementFormat.IDS)
    assert formatted["object"]["verb"] == {"id": "http://example.com/visited"}
    assert formatted["object"]["object"] == {"id": "http://example.com/website"}


@pytest.mark.parametrize("statement_format", list(StatementFormat))
def test_every_format_still_returns_a_valid_statement(statement_format: StatementFormat) -> None:
    for example in (spec.APPENDIX_A_LONG, spec.PLANNED_SUBSTATEMENT, statement()):
        validate_statement(format_statement(example, statement_format, ("es",)))


def test_keeps_one_language_per_map_chosen_by_preference_for_canonical() -> None:
    original = statement(verb=MULTILINGUAL_VERB)
    formatted = format_statement(original, StatementFormat.CANONICAL, ("es", "en"))
    assert formatted["verb"]["display"] == {"es": "asistió"}
    assert formatted["object"]["definition"]["name"] == {"es": "Reuniones de equipo"}
    assert formatted["object"]["definition"]["description"] == {
        "en-US": "Running a Wraparound team meeting."
    }
    assert formatted["actor"] == original["actor"]


def test_filters_interaction_component_descriptions_for_canonical() -> None:
    choices = [{"id": "golf", "description": {"en-US": "Golf Example", "fr": "Exemple de golf"}}]
    definition = {**spec.INTERACTION_DEFINITIONS["choice"], "choices": choices}
    original = set_at(statement(), "object.definition", definition)
    formatted = format_statement(original, StatementFormat.CANONICAL, ("fr",))
    assert formatted["object"]["definition"]["choices"] == [
        {"id": "golf", "description": {"fr": "Exemple de golf"}}
    ]


def test_uses_the_lrs_canonical_definitions_and_displays_when_given() -> None:
    canonical_definition: dict[str, Any] = {"name": {"en-US": "Team meetings (v2)"}}
    formatted = format_statement(
        statement(),
        StatementFormat.CANONICAL,
        ("en-US",),
        activity_definitions={MODULE: canonical_definition},
        verb_displays={statement()["verb"]["id"]: {"en-US": "finished", "de": "beendet"}},
    )
    assert formatted["object"]["definition"] == canonical_definition
    assert formatted["verb"]["display"] == {"en-US": "finished"}


@pytest.mark.parametrize(
    ("languages", "expected"),
    [
        (("en",), "en-GB"),
        (("en-US",), "en-US"),
        (("EN-us",), "en-US"),
        (("de", "es"), "es"),
        (("*",), "en-GB"),
        (("de",), "en-GB"),
        ((), "en-GB"),
    ],
)
def test_picks_the_first_language_the_preferences_match(
    languages: tuple[str, ...], expected: str
) -> None:
    language_map = {"en-GB": "attended", "en-US": "attended", "es": "asistió"}
    assert list(pick_language(language_map, languages)) == [expected]


def test_orders_accept_language_ranges_by_quality() -> None:
    header = "fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5"
    assert parse_accept_language(header) == ("fr-CH", "fr", "en", "de", "*")
    assert parse_accept_language("en;q=0.5, es") == ("es", "en")


def test_drops_unacceptable_ranges_and_reads_no_header_as_any_language() -> None:
    assert parse_accept_language("en;q=0, es") == ("es",)
    assert parse_accept_language(None) == ()
    assert parse_accept_language("") == ()
