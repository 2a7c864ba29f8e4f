"""The coach's forms: a session with its components, a skill rating; checked before sending."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

MODALITIES = (
    ("in_person", "In person"),
    ("virtual", "Virtual"),
    ("live_coaching", "Live coaching"),
)
COMPONENTS = ("observation", "modeling", "practice", "feedback", "reflection")
COMPETENCIES = ("ENG", "STR", "FAC", "NEED", "SAFE", "NAT", "MON", "TRAN")
SKILL_LEVELS = (
    ("not_yet", "Not yet"),
    ("with_support", "With support"),
    ("independent", "Independent"),
    ("can_teach", "Can teach"),
)


def _date_error(raw: str, today: date, what: str) -> str | None:
    try:
        if date.fromisoformat(raw.strip()) > today:
            return f"The {what} cannot be in the future"
    except ValueError:
        return f"Enter the {what} as a date, for example 2026-03-12"
    return None


def session_errors(form: Mapping[str, str], components: list[str], today: date) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not form.get("practitioner_id", "").strip():
        errors["practitioner_id"] = "Choose the practitioner you coached"
    if problem := _date_error(form.get("held_on", ""), today, "session date"):
        errors["held_on"] = problem
    minutes = form.get("duration_minutes", "").strip()
    if not minutes.isdigit() or not 1 <= int(minutes) <= 480:
        errors["duration_minutes"] = "Enter the duration in minutes, from 1 to 480"
    if form.get("modality") not in {m for m, _ in MODALITIES}:
        errors["modality"] = "Choose how the session was held"
    if not components or not set(components) <= set(COMPONENTS):
        errors["components"] = "Tick at least one part of the session that took place"
    return errors


def session_body(
    form: Mapping[str, str], components: list[str], competencies: list[str], session_id: str
) -> dict[str, Any]:
    return {
        "id": session_id,
        "practitioner_id": form["practitioner_id"].strip(),
        "held_on": form["held_on"].strip(),
        "duration_minutes": int(form["duration_minutes"]),
        "modality": form["modality"],
        "components": components,
        "competencies": [c for c in competencies if c in COMPETENCIES],
        "goal_ids": [],
        "notes": form.get("notes", "").strip(),
    }


def rating_errors(form: Mapping[str, str], today: date) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not form.get("rating_practitioner_id", "").strip():
        errors["rating_practitioner_id"] = "Choose the practitioner you rate"
    if form.get("competency") not in COMPETENCIES:
        errors["competency"] = "Choose the competency"
    if form.get("level") not in {v for v, _ in SKILL_LEVELS}:
        errors["level"] = "Choose the level you saw"
    if problem := _date_error(form.get("rated_on", ""), today, "rating date"):
        errors["rated_on"] = problem
    if not form.get("source_id", "").strip():
        errors["source_id"] = "Choose the session the rating rests on"
    return errors


def rating_body(form: Mapping[str, str], rating_id: str) -> dict[str, Any]:
    return {
        "id": rating_id,
        "practitioner_id": form["rating_practitioner_id"].strip(),
        "competency": form["competency"],
        "level": form["level"],
        "rated_on": form["rated_on"].strip(),
        "source_type": "session",
        "source_id": form["source_id"].strip(),
        "note": form.get("note", "").strip(),
    }
