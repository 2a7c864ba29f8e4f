"""The roster's lifecycle rules: what a change, a leaving or a return may say, and when.

A practitioner's roster record is a history of dated facts (registered, details
changed, left, returned), each effective on a practice date. Facts are recorded in
date order: a fact dated before the latest one would rewrite details that later,
state-carrying facts already repeat, so it is refused instead. Pure: the handler
passes the current standing and maps a refusal to a problem answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import date
from typing import Any

from services.certification.domain.vocabulary import RosterField

ROSTER_FIELDS: tuple[RosterField, ...] = (
    "role",
    "coach_id",
    "supervisor_id",
    "team_id",
    "program_start",
)
# The fields certification's own evaluation reads (the rest only place the practitioner).
EVIDENCE_FIELDS: frozenset[RosterField] = frozenset({"role", "coach_id", "program_start"})


class RosterRefused(ValueError):
    """A lifecycle request the roster cannot take; ``conflict`` when it clashes with state."""

    def __init__(self, detail: str, *, conflict: bool = False) -> None:
        super().__init__(detail)
        self.detail = detail
        self.conflict = conflict


@dataclass(frozen=True)
class RosterDetails:
    role: str
    program_start: date
    coach_id: str | None
    supervisor_id: str | None
    team_id: str | None


@dataclass(frozen=True)
class RosterStanding:
    """Where a practitioner stands: current details, the leaving day if away, the latest date."""

    practitioner_id: str
    details: RosterDetails
    left_on: date | None
    latest_on: date


def plan_change(
    standing: RosterStanding, effective_on: date, requested: Mapping[str, Any]
) -> tuple[RosterDetails, tuple[RosterField, ...]]:
    """The full details from ``effective_on`` on, and the fields the change moves."""
    if standing.left_on is not None:
        raise RosterRefused(
            f"practitioner {standing.practitioner_id} left on {standing.left_on}; "
            "record their return before changing their details",
            conflict=True,
        )
    known = {field.name for field in fields(RosterDetails)}
    details = replace(standing.details, **{k: v for k, v in requested.items() if k in known})
    changed = tuple(
        name for name in ROSTER_FIELDS if getattr(details, name) != getattr(standing.details, name)
    )
    if not changed:
        raise RosterRefused(
            f"the change leaves practitioner {standing.practitioner_id}'s details as they are; "
            f"send at least one of {', '.join(ROSTER_FIELDS)} with a new value"
        )
    _check_date(standing, effective_on, details.program_start)
    return details, changed


def check_leaving(standing: RosterStanding, effective_on: date) -> None:
    if standing.left_on is not None:
        raise RosterRefused(
            f"practitioner {standing.practitioner_id} already left on {standing.left_on}",
            conflict=True,
        )
    _check_date(standing, effective_on, standing.details.program_start)


def check_return(standing: RosterStanding, effective_on: date) -> None:
    if standing.left_on is None:
        raise RosterRefused(
            f"practitioner {standing.practitioner_id} has not left the roster; "
            "there is nothing to return from",
            conflict=True,
        )
    if effective_on <= standing.left_on:
        raise RosterRefused(
            f"effective_on {effective_on} must be after the leaving day {standing.left_on}"
        )


def _check_date(standing: RosterStanding, effective_on: date, program_start: date) -> None:
    if effective_on < program_start:
        raise RosterRefused(
            f"effective_on {effective_on} is before the program start {program_start}; "
            "a roster change takes effect on or after it"
        )
    if effective_on < standing.latest_on:
        raise RosterRefused(
            f"effective_on {effective_on} is before {standing.latest_on}, the date of "
            f"practitioner {standing.practitioner_id}'s latest roster change; "
            "changes are recorded in date order"
        )
