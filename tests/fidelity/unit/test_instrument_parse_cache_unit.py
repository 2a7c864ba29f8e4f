"""Instrument definitions are parsed once per text, and a text always gives its own."""

from __future__ import annotations

from services.fidelity.adapters.instrument_rows import parsed_definition
from services.fidelity.domain.seed_instruments import TEAM_MEETING_OBSERVATION


def test_the_same_text_is_parsed_once() -> None:
    text = TEAM_MEETING_OBSERVATION.model_dump_json()
    assert parsed_definition(text) is parsed_definition(text)
    assert parsed_definition(text) == TEAM_MEETING_OBSERVATION


def test_another_definition_of_the_same_key_and_version_is_never_served_from_the_cache() -> None:
    original = TEAM_MEETING_OBSERVATION.model_dump_json()
    retitled = TEAM_MEETING_OBSERVATION.model_copy(update={"title": "Agency's own edition"})
    parsed_definition(original)
    assert parsed_definition(retitled.model_dump_json()).title == "Agency's own edition"
    assert parsed_definition(original).title == TEAM_MEETING_OBSERVATION.title
