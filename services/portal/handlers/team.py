"""A supervisor's or coach's team: the roster filtered to them, and each member's signals."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any

from services.portal.adapters.services import ApiProblem, Apis
from services.portal.domain.team import (
    OPEN_DRIFT_DAYS,
    heat_map,
    latest_fidelity,
    months_covered,
    open_drift,
)
from services.portal.domain.viewer import Viewer
from shared.auth import Role


def members_of(roster: list[dict[str, Any]], viewer: Viewer) -> list[str]:
    """A supervisor's team (supervisor_id) and a coach's caseload (coach_id)."""
    mine = set()
    for entry in roster:
        if Role.SUPERVISOR in viewer.roles and viewer.subject in (
            entry.get("supervisor_id"),
            entry.get("team_id"),
        ):
            mine.add(entry["practitioner_id"])
        if Role.COACH in viewer.roles and entry.get("coach_id") == viewer.subject:
            mine.add(entry["practitioner_id"])
    return sorted(mine)


async def _or_none(call: Any) -> Any:
    try:
        return await call
    except ApiProblem as problem:
        if problem.status in (401, 403):
            raise
        return None


async def load_team(apis: Apis, viewer: Viewer, today: date) -> dict[str, Any]:
    roster = await apis.certification.every("/practitioners")
    members = members_of(roster, viewer)
    year_ago = (today - timedelta(days=366)).isoformat()

    async def person(pid: str) -> tuple[Any, Any, Any]:
        return await asyncio.gather(
            _or_none(apis.learning.get(f"/practitioners/{pid}/visibility")),
            _or_none(apis.coaching.every("/sessions", practitioner_id=pid, held_from=year_ago)),
            _or_none(apis.fidelity.get(f"/practitioners/{pid}/fidelity-trend")),
        )

    answers, signals = await asyncio.gather(
        asyncio.gather(*(person(pid) for pid in members)),
        apis.fidelity.every(
            "/drift-signals", detected_from=(today - timedelta(days=OPEN_DRIFT_DAYS)).isoformat()
        ),
    )
    people = []
    for pid, (visibility, sessions, trend) in zip(members, answers, strict=True):
        held = [date.fromisoformat(s["held_on"]) for s in sessions or []]
        people.append(
            {
                "practitioner_id": pid,
                "enrolled": visibility is not None,
                "cadence": months_covered(held, today),
                "fidelity": latest_fidelity(trend),
            }
        )
    visibility_by_person = {pid: answer[0] for pid, answer in zip(members, answers, strict=True)}
    team = set(members)
    return {
        "members": members,
        "people": people,
        "heat": heat_map(visibility_by_person),
        "drift": open_drift([s for s in signals if s["practitioner_id"] in team], today),
    }
