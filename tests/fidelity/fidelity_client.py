"""The fidelity API as a test drives it: one agency, principals by role, stored-row counts.

Imported by its full name, ``tests.fidelity.fidelity_client``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
from fastapi import FastAPI

from services.fidelity.config import FidelitySettings
from shared.testing.apps import bearer, runtime_of
from shared.testing.roster import RosterAnnouncer, practitioner_ids_in
from tests.fidelity.fidelity_builders import (
    TEAM_MEETING,
    TEAM_MEETING_INDICATORS,
    attempt,
    gold_standard,
    reference,
)


@dataclass
class FidelityApi:
    """`post` puts the practitioner a body names on the roster first (as certification
    would announce them), unless `on_roster=False`; `client` posts as it is."""

    client: httpx.AsyncClient
    settings: FidelitySettings
    agency_id: str
    app: FastAPI
    roster: RosterAnnouncer

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
        query = {k: v for k, v in params.items() if v is not None}
        return await self.client.get(
            path, params=query, headers=self.headers(role, subject, agency)
        )

    async def record(self, body: dict[str, Any]) -> dict[str, Any]:
        """Record as the observer the body names; the observation must be accepted."""
        response = await self.post("/observations", body, "observer", body["observer_id"])
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    async def publish(self, body: dict[str, Any]) -> dict[str, Any]:
        response = await self.post("/instruments", body)
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    async def calibrate(
        self,
        observer_id: str,
        on: date,
        instrument_key: str = TEAM_MEETING,
        indicators: tuple[str, ...] = TEAM_MEETING_INDICATORS,
    ) -> dict[str, Any]:
        """A reference meeting the day before `on`, rated by the observer like the gold."""
        gold = gold_standard(indicators)
        ref = await self.post(
            "/calibration/references",
            reference(instrument_key=instrument_key, meeting_date=on, gold=gold),
        )
        assert ref.status_code == 201, ref.text
        response = await self.post(
            "/calibration/attempts", attempt(ref.json()["id"], on, gold), "observer", observer_id
        )
        assert response.status_code == 201 and response.json()["passed"], response.text
        result: dict[str, Any] = response.json()
        return result

    async def count(self, table: str) -> int:
        """Rows in one of this service's tables (`events`, `observations`, …)."""
        async with runtime_of(self.app).pool.acquire() as conn:
            value = await conn.fetchval(f"SELECT count(*) FROM {table}")
        return int(value)

    def subject(self, event: str = "*") -> str:
        """The NATS subjects of this agency's fidelity events named `event` (`*` for all of
        them), about any practitioner (the last tokens)."""
        return f"{self.settings.subject_root}.fidelity.{self.agency_id}.{event}.>"
