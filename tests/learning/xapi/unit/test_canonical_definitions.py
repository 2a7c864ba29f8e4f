"""Canonical Activity definitions: the latest wins, language maps merge per language."""

from __future__ import annotations

from services.learning.xapi.canonical import activity_definitions, merge_definitions

from .builders import COURSE, MODULE, activity, statement


def test_a_later_definition_adds_languages_and_replaces_other_properties() -> None:
    stored = {"name": {"en-US": "Team meetings"}, "type": "http://x.org/old"}
    received = {"name": {"es": "Reuniones"}, "type": "http://x.org/new"}
    assert merge_definitions(stored, received) == {
        "name": {"en-US": "Team meetings", "es": "Reuniones"},
        "type": "http://x.org/new",
    }


def test_definitions_come_from_the_object_context_and_substatement() -> None:
    sub = {
        "objectType": "SubStatement",
        "actor": statement()["actor"],
        "verb": statement()["verb"],
        "object": activity("https://lms.example.org/sub", definition={"name": {"fr": "Sous"}}),
    }
    parent = {"id": COURSE, "definition": {"name": {"en-US": "Course"}}}
    with_context = statement(context={"contextActivities": {"parent": [parent]}})
    found = activity_definitions([with_context, statement(object=sub, context={})])
    assert set(found) == {MODULE, COURSE, "https://lms.example.org/sub"}
    assert found[COURSE] == {"name": {"en-US": "Course"}}


def test_within_a_batch_later_statements_win() -> None:
    first = statement()
    second = statement(object=activity(definition={"name": {"en-US": "Renamed"}}))
    assert activity_definitions([first, second])[MODULE]["name"] == {
        "en-US": "Renamed",
        "es": "Reuniones de equipo",
    }
