"""Driving the coaching API in tests: request builders and a client that knows who it is.

Builders return valid bodies by default; a test overrides only what it is about.
Imported by its full name (`tests.coaching.coaching_api`): pytest runs in importlib mode.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx
from fastapi import FastAPI

from services.coaching.config import CoachingSettings
from shared.service import Runtime
from shared.testing.apps import bearer
from shared.testing.roster import RosterAnnouncer, practitioner_ids_in

COACH = "coach-ana"
OTHER_COACH = "coach-ben"
PRACTITIONER = "prac-pat"
OTHER_PRACTITIONER = "prac-quinn"
SUPERVISOR = "sup-sam"
ADMIN = "admin-ada"

PROJECTIONS = ("assignments", "plans", "sessions", "ratings", "peer_sessions", "reflections")


def days_ago(days: int) -> date:
    return date.today() - timedelta(days=days)


def iso(day: date) -> str:
    return day.isoformat()


def new_id() -> str:
    return str(uuid.uuid4())


def assignment_body(**overrides: Any) -> dict[str, Any]:
    return {
        "coach_id": COACH,
        "practitioner_id": PRACTITIONER,
        "valid_from": iso(days_ago(200)),
        "valid_to": None,
    } | overrides


def goal_body(**overrides: Any) -> dict[str, Any]:
    return {
        "id": new_id(),
        "competency": "FAC",
        "target_level": "independent",
        "description": "Facilitate a team meeting without prompts",
    } | overrides


def plan_body(*goals: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    return {"id": new_id(), "practitioner_id": PRACTITIONER, "goals": list(goals)} | overrides


def session_body(**overrides: Any) -> dict[str, Any]:
    return {
        "id": new_id(),
        "practitioner_id": PRACTITIONER,
        "held_on": iso(days_ago(10)),
        "duration_minutes": 60,
        "modality": "in_person",
        "components": ["practice", "feedback"],
        "competencies": ["FAC"],
        "goal_ids": [],
        "notes": "Rehearsed the opening of the meeting",
    } | overrides


def rating_body(source_session_id: str, **overrides: Any) -> dict[str, Any]:
    return {
        "id": new_id(),
        "practitioner_id": PRACTITIONER,
        "competency": "FAC",
        "level": "independent",
        "rated_on": iso(days_ago(10)),
        "source_type": "session",
        "source_id": source_session_id,
        "note": "Opened the meeting without prompts",
    } | overrides


def peer_session_body(**overrides: Any) -> dict[str, Any]:
    return {
        "id": new_id(),
        "facilitator_id": PRACTITIONER,
        "participant_ids": [OTHER_PRACTITIONER],
        "held_on": iso(days_ago(5)),
        "competencies": ["NAT"],
        "shared": "Finding natural supports for a family new to the area",
    } | overrides


def reflection_body(**overrides: Any) -> dict[str, Any]:
    return {
        "id": new_id(),
        "written_on": iso(days_ago(3)),
        "competency": "FAC",
        "text": "I rushed the family vision; next time the youth speaks first.",
    } | overrides


@dataclass
class CoachingApi:
    """The running coaching app of one test, seen from one agency. `post` puts the
    practitioners a body names on the roster first (as certification would announce
    them), unless `on_roster=False`; `client` posts as it is."""

    client: httpx.AsyncClient
    settings: CoachingSettings
    runtime: Runtime
    agency_id: str
    roster: RosterAnnouncer
    # practitioners the test acts as: on the roster too (a reflection names its author so)
    acting: set[str] = field(default_factory=set)
    app: FastAPI | None = None

    def as_(self, subject: str, *roles: str, agency_id: str | None = None) -> dict[str, str]:
        if "practitioner" in roles and agency_id in (None, self.agency_id):
            self.acting.add(subject)
        return bearer(self.settings, agency_id or self.agency_id, *roles, subject=subject)

    @property
    def admin(self) -> dict[str, str]:
        return self.as_(ADMIN, "admin")

    def coach(self, subject: str = COACH) -> dict[str, str]:
        return self.as_(subject, "coach")

    async def post(
        self,
        path: str,
        body: dict[str, Any],
        headers: dict[str, str],
        *,
        on_roster: bool = True,
    ) -> httpx.Response:
        if on_roster:
            await self.roster.ensure(*practitioner_ids_in(body), *sorted(self.acting))
        return await self.client.post(path, json=body, headers=headers)

    async def get(self, path: str, headers: dict[str, str], **params: Any) -> httpx.Response:
        return await self.client.get(path, headers=headers, params=params)

    async def created(
        self, path: str, body: dict[str, Any], headers: dict[str, str]
    ) -> dict[str, Any]:
        response = await self.post(path, body, headers)
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    async def assign(self, **overrides: Any) -> dict[str, Any]:
        return await self.created("/assignments", assignment_body(**overrides), self.admin)

    async def log_session(self, coach: str = COACH, **overrides: Any) -> dict[str, Any]:
        return await self.created("/sessions", session_body(**overrides), self.coach(coach))

    async def stored(self) -> dict[str, int]:
        """How many events and projection rows this agency has: to prove nothing was stored."""
        async with self.runtime.pool.acquire() as conn:
            counts = {
                table: await conn.fetchval(
                    f"SELECT count(*) FROM {table} WHERE agency_id = $1", self.agency_id
                )
                for table in (*PROJECTIONS, "events")
            }
        return counts


async def refused(
    api: CoachingApi,
    path: str,
    body: dict[str, Any],
    headers: dict[str, str],
    *,
    status: int,
    says: tuple[str, ...],
    on_roster: bool = True,
) -> dict[str, Any]:
    """POST must answer `status` as problem+json whose detail says each of `says`, storing
    nothing at all."""
    before = await api.stored()
    response = await api.post(path, body, headers, on_roster=on_roster)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem: dict[str, Any] = response.json()
    for phrase in says:
        assert phrase in problem["detail"], problem["detail"]
    assert await api.stored() == before, "a refused request must store nothing"
    return problem
