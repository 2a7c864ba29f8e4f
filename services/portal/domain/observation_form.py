"""The observation form, built from an instrument version, and what a filled form says.

Pure: `form_errors` checks a submitted form before anything is sent (every indicator
rated, a practitioner, a date), so a person sees every problem at once, next to its
field; `observation_body` turns the form into the fidelity API's body.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

RATINGS = (("present", "Present"), ("absent", "Absent"), ("not_applicable", "Not applicable"))
RATING_VALUES = frozenset(value for value, _ in RATINGS)


def indicator_field(indicator_id: str) -> str:
    return f"rating:{indicator_id}"


def indicator_ids(instrument: Mapping[str, Any]) -> list[str]:
    return [
        indicator["id"]
        for domain in instrument["domains"]
        for item in domain["items"]
        for indicator in item["indicators"]
    ]


def form_errors(
    instrument: Mapping[str, Any], form: Mapping[str, str], today: date
) -> dict[str, str]:
    """Field name → what to fix; empty when the form can be sent."""
    errors: dict[str, str] = {}
    if not form.get("practitioner_id", "").strip():
        errors["practitioner_id"] = "Enter the id of the practitioner you observed"
    raw_date = form.get("meeting_date", "").strip()
    try:
        if date.fromisoformat(raw_date) > today:
            errors["meeting_date"] = "The meeting date cannot be in the future"
    except ValueError:
        errors["meeting_date"] = "Enter the meeting date as a date, for example 2026-03-12"
    if not form.get("setting", "").strip():
        errors["setting"] = "Say where or how the meeting was held, for example family home"
    for indicator in indicator_ids(instrument):
        if form.get(indicator_field(indicator)) not in RATING_VALUES:
            errors[indicator_field(indicator)] = (
                f"Rate {indicator}: present, absent or not applicable"
            )
    return errors


def observation_body(
    instrument: Mapping[str, Any], form: Mapping[str, str], observation_id: str
) -> dict[str, Any]:
    co_observation = form.get("co_observation_of", "").strip()
    return {
        "id": observation_id,
        "instrument_key": instrument["key"],
        "instrument_version": instrument["version"],
        "practitioner_id": form["practitioner_id"].strip(),
        "meeting_date": form["meeting_date"].strip(),
        "setting": form["setting"].strip(),
        "ratings": [
            {"indicator_id": i, "rating": form[indicator_field(i)]}
            for i in indicator_ids(instrument)
        ],
        "co_observation_of": co_observation or None,
    }
