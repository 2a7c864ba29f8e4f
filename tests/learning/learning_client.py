"""The learning API as a test drives it: one agency, principals by role, what was stored."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI

from services.learning.config import LearningSettings
from services.learning.handlers import AnnouncedLapse, check_lapses
from services.learning.handlers.context import LEARNING
from shared.testing.apps import bearer, runtime_of
from shared.testing.roster import RosterAnnouncer, practitioner_ids_in
from tests.learning.api_builders import (
    CORE_MODULES,
    DAY,
    ENROLLED_ON,
    T0,
    a_review,
    an_attempt,
    an_enrollment,
)


@dataclass
class LearningApi:
    """Posts put the practitioners a body names on the roster first (as certification
    would announce them), unless `on_roster=False`; `client` posts as it is."""

    client: httpx.AsyncClient
    settings: LearningSettings
    agency_id: str
    app: FastAPI
    roster: RosterAnnouncer

    @property
    def events_subject(self) -> str:
        return f"{self.settings.subject_root}.learning.{self.agency_id}.>"

    def headers(
        self, role: str = "admin", subject: str = "admin-1", agency: str | None = None
    ) -> dict[str, str]:
        return bearer(self.settings, agency or self.agency_id, role, subject=subject)

    async def post(
        self,
        path: str,
        body: dict[str, Any],
        role: str = "admin",
        subject: str = "admin-1",
        agency: str | None = None,
        *,
        on_roster: bool = True,
    ) -> httpx.Response:
        if on_roster and agency in (None, self.agency_id):
            await self.roster.ensure(*practitioner_ids_in(body))
        return await self.client.post(path, json=body, headers=self.headers(role, subject, agency))

    async def get(
        self,
        path: str,
        role: str = "admin",
        subject: str = "admin-1",
        agency: str | None = None,
        **params: Any,
    ) -> httpx.Response:
        query = {k: _param(v) for k, v in params.items() if v is not None}
        return await self.client.get(
            path, params=query, headers=self.headers(role, subject, agency)
        )

    async def created(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await self.post(path, body)
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    async def enroll(self, practitioner_id: str, on: date = ENROLLED_ON) -> dict[str, Any]:
        return await self.created("/enrollments", an_enrollment(practitioner_id, on))

    async def attempt(
        self, practitioner_id: str, module_id: str = "M1", score: float = 0.9, at: datetime = T0
    ) -> dict[str, Any]:
        return await self.created("/attempts", an_attempt(practitioner_id, module_id, score, at))

    async def review(
        self, practitioner_id: str, concept_id: str, rating: str, at: datetime
    ) -> dict[str, Any]:
        return await self.created("/reviews", a_review(practitioner_id, concept_id, rating, at))

    async def master(
        self,
        practitioner_id: str,
        modules: tuple[str, ...] = CORE_MODULES,
        starting: datetime = T0,
        spacing: timedelta = 7 * DAY,
    ) -> None:
        """Enroll, then master `modules` in order, one every `spacing`."""
        await self.enroll(practitioner_id)
        for index, module_id in enumerate(modules):
            await self.attempt(practitioner_id, module_id, 0.9, starting + index * spacing)

    def set_clock(self, now: datetime) -> None:
        """Run the service as if it were ``now``: lapses are decided (and future dates
        refused) against it, so a test can look at a history before time lapses it."""
        runtime = runtime_of(self.app)
        LEARNING.put(runtime, replace(LEARNING.of(runtime), clock=lambda: now))

    async def check_lapses(self, now: datetime) -> list[AnnouncedLapse]:
        return await check_lapses(runtime_of(self.app), now=now)

    async def stored_events(self, name: str | None = None) -> int:
        """Events in this service's store for the test's agency (of one name, if given)."""
        async with runtime_of(self.app).pool.acquire() as conn:
            count: int = await conn.fetchval(
                "SELECT count(*) FROM events"
                " WHERE agency_id = $1 AND ($2::text IS NULL OR name = $2)",
                self.agency_id,
                name,
            )
        return count


def _param(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value
