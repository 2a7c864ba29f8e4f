"""Upstream events (docs/events.md) translated into certification evidence.

Certification's consumers subscribe to the events read here only (domain/upstream.py
`TAKEN_IN`, checked against these tables by a unit test).

Pure: a consumer hands over the event's service, name, id and payload; the answer is
one evidence item, or None when the event is no evidence for certification (an
assessment attempt, a review…). A passed calibration is no evidence of a practitioner
but decides which observations count (``calibration_from_event``). A payload that
breaks the contract raises ``ContractViolation`` naming the problem; retrying it would not help.

Choices (see the service README in the report):
- learning's ``practitioner_enrolled`` carries no role nor coach; the program start
  comes from certification's own roster, so it is no evidence here;
- a co-observation (``co_observation_of`` set) is a second rater scoring a meeting
  already observed, for reliability; counting it would count one meeting twice;
- coaching components outside the five known ones are ignored, not fatal.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, get_args

from pydantic import ValidationError

from services.certification.domain.calibrations import Calibration
from services.certification.domain.evidence import EVIDENCE_ADAPTER, Evidence
from services.certification.domain.vocabulary import CoachingComponent

Payload = Mapping[str, Any]
KNOWN_COMPONENTS = frozenset(get_args(CoachingComponent))


class ContractViolation(ValueError):
    """The payload does not match the event contract certification relies on."""


def _day(value: Any, field: str) -> str:
    """An ISO date from a date or a datetime field (the practice day, in its own offset)."""
    if isinstance(value, str):
        try:
            return (
                datetime.fromisoformat(value).date().isoformat()
                if "T" in value
                else date.fromisoformat(value).isoformat()
            )
        except ValueError as error:
            raise ContractViolation(f"{field} {value!r} is not an ISO date") from error
    raise ContractViolation(f"{field} is missing or not a date")


def _module_mastered(data: Payload) -> dict[str, Any]:
    return {
        "kind": "module_mastered",
        "occurred_on": _day(data.get("mastered_at"), "mastered_at"),
        "module_id": data.get("module_id"),
        "order_index": data.get("module_order"),
        "previous_module_mastered": data.get("previous_module_mastered"),
    }


def _concept_lapsed(data: Payload) -> dict[str, Any]:
    return {
        "kind": "concept_lapsed",
        "occurred_on": _day(data.get("lapsed_on"), "lapsed_on"),
        "concept_id": data.get("concept_id"),
    }


def _concept_restored(data: Payload) -> dict[str, Any]:
    return {
        "kind": "concept_restored",
        "occurred_on": _day(data.get("restored_on"), "restored_on"),
        "concept_id": data.get("concept_id"),
    }


def _coach_assigned(data: Payload) -> dict[str, Any]:
    return {
        "kind": "coach_assigned",
        "occurred_on": _day(data.get("valid_from"), "valid_from"),
        "coach_id": data.get("coach_id"),
    }


def _session_held(data: Payload) -> dict[str, Any]:
    components = data.get("components")
    if not isinstance(components, list | tuple):
        raise ContractViolation("components must be a list")
    return {
        "kind": "coaching_session_held",
        "occurred_on": _day(data.get("held_on"), "held_on"),
        "coach_id": data.get("coach_id"),
        "components": sorted(KNOWN_COMPONENTS.intersection(components)),
    }


def _skill_rated(data: Payload) -> dict[str, Any]:
    return {
        "kind": "skill_rated",
        "occurred_on": _day(data.get("rated_on"), "rated_on"),
        "competency": data.get("competency"),
        "level": data.get("level"),
        "rater_id": data.get("rater_id"),
    }


def _observation_recorded(data: Payload) -> dict[str, Any] | None:
    if data.get("co_observation_of"):
        return None
    return {
        "kind": "observation_recorded",
        "occurred_on": _day(data.get("meeting_date"), "meeting_date"),
        "observation_id": data.get("observation_id"),
        "instrument_kind": data.get("instrument_kind"),
        "instrument_key": data.get("instrument_key"),
        "instrument_version": data.get("instrument_version"),
        "observer_id": data.get("observer_id"),
        "observer_calibrated": data.get("observer_calibrated"),
        "total_percent": data.get("total"),
        "domain_percents": data.get("domain_scores") or {},
        # absent in events recorded before fidelity sent it: not imported
        "imported": data.get("imported") or False,
    }


TRANSLATORS: dict[tuple[str, str], Callable[[Payload], dict[str, Any] | None]] = {
    ("learning", "module_mastered"): _module_mastered,
    ("learning", "concept_lapsed"): _concept_lapsed,
    ("learning", "concept_restored"): _concept_restored,
    ("coaching", "coach_assigned"): _coach_assigned,
    ("coaching", "coaching_session_held"): _session_held,
    ("coaching", "skill_rated"): _skill_rated,
    ("fidelity", "observation_recorded"): _observation_recorded,
}


def evidence_from_event(
    service: str, event_name: str, event_id: str, data: Payload
) -> Evidence | None:
    """The evidence an upstream event carries, keyed by the event's id; None if none."""
    translate = TRANSLATORS.get((service, event_name))
    if translate is None:
        return None
    fields = translate(data)
    if fields is None:
        return None
    fields["event_id"] = event_id
    fields["practitioner_id"] = data.get("practitioner_id")
    try:
        return EVIDENCE_ADAPTER.validate_python(fields)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'][1:]) or 'payload'}: {e['msg']}"
            for e in error.errors()
        )
        raise ContractViolation(f"{service}.{event_name} {event_id}: {problems}") from error


# fidelity's passed calibration of an observer (its failed attempt is never read)
CALIBRATIONS = frozenset({("fidelity", "observer_calibrated")})


def calibration_from_event(service: str, event_name: str, data: Payload) -> Calibration | None:
    """The passed calibration fidelity's ``observer_calibrated`` carries, or None.

    Valid from ``attempted_on`` to ``expires_on`` (exclusive), on the instrument family
    ``instrument_key`` (every version). A failed attempt calibrates nothing: not taken in.
    """
    if (service, event_name) not in CALIBRATIONS:
        return None
    fields: dict[str, str] = {}
    for name in ("attempt_id", "observer_id", "instrument_key"):
        value = data.get(name)
        if not isinstance(value, str) or not value:
            raise ContractViolation(f"fidelity.observer_calibrated: {name} is missing")
        fields[name] = value
    valid_from = date.fromisoformat(_day(data.get("attempted_on"), "attempted_on"))
    valid_until = date.fromisoformat(_day(data.get("expires_on"), "expires_on"))
    if valid_until <= valid_from:
        raise ContractViolation(
            f"fidelity.observer_calibrated: expires_on {valid_until} is not after "
            f"attempted_on {valid_from}"
        )
    return Calibration(
        attempt_id=fields["attempt_id"],
        observer_id=fields["observer_id"],
        instrument_key=fields["instrument_key"],
        valid_from=valid_from,
        valid_until=valid_until,
    )


@dataclass(frozen=True)
class Retraction:
    """Evidence a source took back: the source event ids of the items that no longer count."""

    practitioner_id: str
    event_ids: tuple[str, ...]


# evidence_retracted: an xAPI statement was voided; evidence_withdrawn: learning's own
# lapse or mastery that the full, practice-dated history no longer implies
RETRACTIONS = frozenset({("learning", "evidence_retracted"), ("learning", "evidence_withdrawn")})


def retraction_from_event(service: str, event_name: str, data: Payload) -> Retraction | None:
    """The retraction an upstream event carries (learning's `evidence_retracted` or
    `evidence_withdrawn`), or None."""
    if (service, event_name) not in RETRACTIONS:
        return None
    practitioner_id = data.get("practitioner_id")
    event_ids = data.get("retracted_event_ids")
    if not isinstance(practitioner_id, str) or not practitioner_id:
        raise ContractViolation(f"{service}.{event_name}: practitioner_id is missing")
    if not isinstance(event_ids, list) or not all(isinstance(i, str) for i in event_ids):
        raise ContractViolation(f"{service}.{event_name}: retracted_event_ids must be strings")
    return Retraction(practitioner_id, tuple(event_ids))
