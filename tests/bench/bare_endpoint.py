"""The ceiling of a REST write: a bare FastAPI endpoint doing one asyncpg INSERT per request.

No auth, no idempotency, no event store, no outbox: what FastAPI, uvicorn and one
round trip to PostgreSQL cost on this machine. `make bench` serves it under uvicorn
with the services' own options (`uvicorn --factory tests.bench.bare_endpoint:create_app`)
and drives it with the same clients as the services' creates.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from fastapi import FastAPI
from pydantic import BaseModel

DSN_VARIABLE = "BARE_DATABASE_URL"
POOL_VARIABLE = "BARE_POOL_MAX"


class Row(BaseModel):
    id: uuid.UUID
    practitioner_id: str
    data: dict[str, Any]


def create_app() -> FastAPI:
    state: dict[str, asyncpg.Pool] = {}

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        pool = await asyncpg.create_pool(
            os.environ[DSN_VARIABLE], min_size=2, max_size=int(os.environ.get(POOL_VARIABLE, "10"))
        )
        async with pool.acquire() as conn:
            await conn.execute(
                "CREATE TABLE IF NOT EXISTS bare_rows (id uuid PRIMARY KEY,"
                " practitioner_id text NOT NULL, data jsonb NOT NULL,"
                " recorded_at timestamptz NOT NULL DEFAULT now())"
            )
        state["pool"] = pool
        yield
        await pool.close()

    app = FastAPI(lifespan=lifespan)

    @app.get("/readyz")
    async def ready() -> dict[str, str]:
        return {"status": "ready"}

    @app.post("/rows", status_code=201)
    async def insert(row: Row) -> dict[str, str]:
        await state["pool"].execute(
            "INSERT INTO bare_rows (id, practitioner_id, data) VALUES ($1, $2, $3::jsonb)",
            row.id,
            row.practitioner_id,
            json.dumps(row.data),
        )
        return {"id": str(row.id)}

    return app
