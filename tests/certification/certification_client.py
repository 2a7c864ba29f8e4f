"""The certification service as a test drives it: one agency, principals by role, the clock.

Imported by its full name, ``tests.certification.certification_client``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
from fastapi import FastAPI

from services.certification.adapters.clock import SettableClock
from services.certification.config import CertificationSettings
from services.certification.handlers.clock import clock_tick
from shared.database import Connection
from shared.service import Runtime
from shared.testing.apps import bearer, runtime_of
from shared.testing.waiting import eventually
from tests.certification.upstream import COACH, PROGRAM_START


@dataclass
class CertificationApi:
    client: httpx.AsyncClient
    settings: CertificationSettings
    agency_id: str
    app: FastAPI
    clock: SettableClock

    @property
    def runtime(self) -> Runtime:
        return runtime_of(self.app)

    def headers(
        self, role: str = "admin", subject: str = "admin-1", agency: str | None = None
    ) -> dict[str, str]:
        return bearer(self.settings, agency or self.agency_id, role, subject=subject)

    async def post(
        self, path: str, body: Any = None, role: str = "admin", **params: Any
    ) -> httpx.Response:
        auth = {k: params.pop(k) for k in ("subject", "agency") if k in params}
        return await self.client.post(
            path, json=body, params=params, headers=self.headers(role, **auth)
        )

    async def get(self, path: str, role: str = "admin", **params: Any) -> httpx.Response:
        auth = {k: params.pop(k) for k in ("subject", "agency") if k in params}
        query = {k: v for k, v in params.items() if v is not None}
        return await self.client.get(path, params=query, headers=self.headers(role, **auth))

    async def register(
        self,
        practitioner_id: str,
        *,
        program_start: date = PROGRAM_START,
        role: str = "facilitator",
        coach_id: str | None = COACH,
    ) -> dict[str, Any]:
        response = await self.post(
            "/practitioners",
            {
                "practitioner_id": practitioner_id,
                "role": role,
                "program_start": program_start.isoformat(),
                "coach_id": coach_id,
                "supervisor_id": "sup-1",
            },
        )
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    async def state(self, practitioner_id: str, **params: Any) -> dict[str, Any]:
        response = await self.get(f"/practitioners/{practitioner_id}/certification", **params)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def status(self, practitioner_id: str, level: str = "facilitator") -> str:
        state = await self.state(practitioner_id)
        return str(next(lv["status"] for lv in state["levels"] if lv["level"] == level))

    async def history(self, practitioner_id: str) -> list[dict[str, Any]]:
        response = await self.get(f"/practitioners/{practitioner_id}/transitions", limit=200)
        assert response.status_code == 200, response.text
        items: list[dict[str, Any]] = response.json()["items"]
        return items

    async def consumed(self) -> int:
        """Upstream events the consumers have taken in (evidence or not)."""
        async with self.runtime.pool.acquire() as conn:
            count: int = await conn.fetchval("SELECT count(*) FROM consumer_inbox")
        return count

    async def wait_consumed(self, count: int, timeout: float = 20.0) -> None:
        async def done() -> bool:
            return await self.consumed() >= count

        await eventually(done, timeout=timeout)

    @asynccontextmanager
    async def rolled_back(self) -> AsyncIterator[Connection]:
        """A pooled connection in a transaction rolled back afterwards: what a test changes
        in the rows through it is gone when it ends."""
        async with self.runtime.pool.acquire() as conn:
            transaction = conn.transaction()
            await transaction.start()
            try:
                yield conn
            finally:
                await transaction.rollback()

    async def tick(self, today: date) -> None:
        """Move the clock to ``today`` and run the periodic re-evaluation once."""
        self.clock.set(today)
        await clock_tick(self.runtime)
