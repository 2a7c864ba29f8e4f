"""Running a service app inside the test: real lifespan, real servers, async client."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from shared.auth import issue_token
from shared.config import ServiceSettings
from shared.service import Runtime


@asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Start the app's lifespan (pool, NATS, relay, consumers) and yield a client to it."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


def runtime_of(app: FastAPI) -> Runtime:
    runtime: Runtime = app.state.runtime
    return runtime


def bearer(
    settings: ServiceSettings, agency_id: str, *roles: str, subject: str = "tester"
) -> dict[str, str]:
    """Authorization headers for a principal of `agency_id` holding `roles`."""
    token = issue_token(settings, subject=subject, agency_id=agency_id, roles=list(roles))
    return {"Authorization": f"Bearer {token}"}
