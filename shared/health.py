"""`/healthz` (the process is up) and `/readyz` (it can serve); `/metrics` is shared/metrics.py.

Readiness depends on the database alone: without it nothing can be read or written.
NATS and the relay's lag are reported in the detail but do not gate: the outbox exists
so that writes go on while NATS is away, and taking every pod out of its Service during
a NATS outage would turn a delay into downtime. Every supervised background task's
state is in the detail too, so a task that keeps failing is visible.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="The process is up")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="The database is reachable (NATS, relay lag and background tasks reported)",
    response_model=None,
)
async def readyz(request: Request) -> JSONResponse:
    runtime = request.app.state.runtime
    checks: dict[str, str] = {}
    try:
        async with asyncio.timeout(2):
            async with runtime.pool.acquire() as conn:
                await conn.fetchval("SELECT 1")
        checks["database"] = "ok"
    except Exception as error:
        checks["database"] = f"unreachable: {type(error).__name__}"
    ready = checks["database"] == "ok"
    body: dict[str, Any] = {
        "status": "ready" if ready else "not ready",
        "checks": checks,
        "nats": "connected" if runtime.nats.is_connected else "unreachable",
        "relay": {
            "leading": runtime.relay.leading,
            "lag": runtime.relay_lag,
            "lag_seconds": runtime.relay_lag_seconds,
            "published": runtime.relay.published,
            "last_error": runtime.relay.last_error,
        },
        "consumers": {
            consumer.name: {
                "pending": consumer.pending,
                "processed": consumer.processed,
                "dead_lettered": consumer.dead_lettered,
            }
            for consumer in runtime.consumers
        },
        "tasks": {name: state.as_dict() for name, state in runtime.supervisor.states.items()},
    }
    return JSONResponse(body, status_code=200 if ready else 503)
