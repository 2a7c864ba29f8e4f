"""The admin's roster forms: register, change details, leave, return; revoke, reinstate.

Pure: each checks its fields and builds the certification API's body (ROSTER_CONTRACT:
fields left out are unchanged, an emptied coach, supervisor or team is cleared).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

PROGRAM_ROLES = (("facilitator", "Facilitator"), ("coach", "Coach"), ("supervisor", "Supervisor"))
PEOPLE = ("coach_id", "supervisor_id", "team_id")


def _day(
    form: Mapping[str, str], name: str, today: date, errors: dict[str, str], what: str
) -> None:
    raw = form.get(name, "").strip()
    try:
        if date.fromisoformat(raw) > today:
            errors[name] = f"The {what} cannot be in the future"
    except ValueError:
        errors[name] = f"Enter the {what} as a date, for example 2026-03-12"


def registration(form: Mapping[str, str], today: date) -> tuple[dict[str, Any], dict[str, str]]:
    errors: dict[str, str] = {}
    if not form.get("practitioner_id", "").strip():
        errors["practitioner_id"] = "Enter the practitioner's id, as your agency's records have it"
    if form.get("role") not in {r for r, _ in PROGRAM_ROLES}:
        errors["role"] = "Choose the practitioner's role in the program"
    _day(form, "program_start", today, errors, "program start")
    body: dict[str, Any] = {
        "practitioner_id": form.get("practitioner_id", "").strip(),
        "role": form.get("role"),
        "program_start": form.get("program_start", "").strip(),
        "coach_id": form.get("coach_id", "").strip() or None,
        "supervisor_id": form.get("supervisor_id", "").strip() or None,
    }
    if form.get("team_id", "").strip():  # only when named: older certification lacks the field
        body["team_id"] = form["team_id"].strip()
    return body, errors


def details_change(
    form: Mapping[str, str], current: Mapping[str, Any], today: date
) -> tuple[dict[str, Any], dict[str, str]]:
    """Only the fields that differ from `current`; an emptied person field clears it."""
    errors: dict[str, str] = {}
    _day(form, "effective_on", today, errors, "date the change takes effect")
    body: dict[str, Any] = {"effective_on": form.get("effective_on", "").strip()}
    if form.get("role") and form["role"] != current.get("role"):
        body["role"] = form["role"]
    for name in PEOPLE:
        value = form.get(name, "").strip() or None
        if value != current.get(name):
            body[name] = value
    start = form.get("program_start", "").strip()
    if start and start != str(current.get("program_start")):
        body["program_start"] = start
    if len(body) == 1 and not errors:
        errors["_form"] = "Nothing changed: change a field before saving"
    return body, errors


def dated(
    form: Mapping[str, str], today: date, *, reason: bool
) -> tuple[dict[str, Any], dict[str, str]]:
    """A leaving (with an optional reason) or a return, effective on a date."""
    errors: dict[str, str] = {}
    _day(form, "effective_on", today, errors, "date")
    body: dict[str, Any] = {"effective_on": form.get("effective_on", "").strip()}
    if reason and form.get("reason", "").strip():
        body["reason"] = form["reason"].strip()
    return body, errors


def admin_decision(form: Mapping[str, str], today: date) -> tuple[dict[str, Any], dict[str, str]]:
    """A revocation or reinstatement: a reason is required, the level optional."""
    errors: dict[str, str] = {}
    reason = form.get("reason", "").strip()
    if len(reason) < 3:
        errors["reason"] = (
            "Give the reason (at least 3 characters); it is published with the decision"
        )
    body: dict[str, Any] = {"reason": reason, "level": form.get("level") or None}
    if form.get("effective_on", "").strip():
        _day(form, "effective_on", today, errors, "date")
        body["effective_on"] = form["effective_on"].strip()
    return body, errors
