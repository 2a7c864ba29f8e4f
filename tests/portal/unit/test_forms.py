"""The forms check what a person sent before anything reaches a service, and say how to fix it."""

from __future__ import annotations

from datetime import date
from typing import Any

from services.portal.domain import coaching_forms, roster_forms
from services.portal.domain.observation_form import form_errors, indicator_field, observation_body

TODAY = date(2026, 6, 15)
INSTRUMENT: dict[str, Any] = {
    "key": "tiny",
    "version": 2,
    "domains": [
        {"id": "D", "items": [{"id": "D.1", "indicators": [{"id": "D.1.a"}, {"id": "D.1.b"}]}]}
    ],
}


def test_an_empty_observation_form_names_every_field_to_fix() -> None:
    errors = form_errors(INSTRUMENT, {"meeting_date": "2026-07-01"}, TODAY)
    assert set(errors) == {
        "practitioner_id",
        "meeting_date",
        "setting",
        indicator_field("D.1.a"),
        indicator_field("D.1.b"),
    }
    assert "future" in errors["meeting_date"]


def test_a_complete_observation_form_becomes_the_fidelity_body() -> None:
    form = {
        "practitioner_id": " prac-pat ",
        "meeting_date": "2026-06-01",
        "setting": "family home",
        indicator_field("D.1.a"): "present",
        indicator_field("D.1.b"): "not_applicable",
        "co_observation_of": "",
    }
    assert form_errors(INSTRUMENT, form, TODAY) == {}
    body = observation_body(INSTRUMENT, form, "obs-id")
    assert body["practitioner_id"] == "prac-pat"
    assert (body["instrument_key"], body["instrument_version"]) == ("tiny", 2)
    assert body["ratings"][1] == {"indicator_id": "D.1.b", "rating": "not_applicable"}
    assert body["co_observation_of"] is None


def test_a_session_needs_a_component_and_a_duration_in_range() -> None:
    form = {"practitioner_id": "p", "held_on": "2026-06-01", "duration_minutes": "600"}
    errors = coaching_forms.session_errors(form | {"modality": "virtual"}, [], TODAY)
    assert set(errors) == {"duration_minutes", "components"}


def test_a_details_change_sends_only_what_changed_and_clears_an_emptied_coach() -> None:
    current = {"role": "facilitator", "coach_id": "coach-ana", "supervisor_id": "sup-sam"}
    form = {
        "effective_on": "2026-06-01",
        "role": "facilitator",
        "coach_id": "",
        "supervisor_id": "sup-sam",
        "team_id": "",
    }
    body, errors = roster_forms.details_change(form, current | {"team_id": None}, TODAY)
    assert errors == {}
    assert body == {"effective_on": "2026-06-01", "coach_id": None}


def test_an_unchanged_details_form_says_nothing_changed() -> None:
    current = {"role": "facilitator", "coach_id": None, "supervisor_id": None, "team_id": None}
    _, errors = roster_forms.details_change({"effective_on": "2026-06-01"}, current, TODAY)
    assert "Nothing changed" in errors["_form"]


def test_a_revocation_needs_a_reason() -> None:
    _, errors = roster_forms.admin_decision({"reason": " "}, TODAY)
    assert "reason" in errors


def test_a_registration_names_a_team_only_when_given() -> None:
    form = {"practitioner_id": "p-1", "role": "coach", "program_start": "2026-01-05"}
    body, errors = roster_forms.registration(form, TODAY)
    assert errors == {} and "team_id" not in body
    body, _ = roster_forms.registration(form | {"team_id": "north"}, TODAY)
    assert body["team_id"] == "north"
