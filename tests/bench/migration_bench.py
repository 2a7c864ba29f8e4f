"""Start-up migration benchmark: what bringing a fresh schema to head costs per service.

Tests start a service on a new schema again and again, so the path from an empty schema
is the one the suite pays for. Prints, per service, the milliseconds per fresh schema
with the previous release's start-up DDL (each statement executed in turn under an
advisory lock, as `apply_migrations` did) beside the Alembic migration, and what a
schema already at head costs. Runs alternate between the two, on the test harness's
fast-unsafe PostgreSQL. `make bench` runs it; nothing here is asserted.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from pydantic import SecretStr

from services.certification.adapters.schema import SCHEMA as CERTIFICATION
from services.certification.config import CertificationSettings
from services.coaching.adapters.schema import SCHEMA as COACHING
from services.coaching.config import CoachingSettings
from services.fidelity.adapters.schema import SCHEMA as FIDELITY
from services.fidelity.config import FidelitySettings
from services.learning.adapters.schema import SCHEMA as LEARNING
from services.learning.config import LearningSettings
from shared.config import ServiceSettings
from shared.database import Pool, create_pool
from shared.schema.runner import migrate
from shared.schema.service_schema import ServiceSchema
from shared.servers import PostgresServer

ROUNDS = 10
PREVIOUS = json.loads(
    (Path(__file__).parents[1] / "kernel/previous_release_schema.json").read_text()
)
SERVICES: dict[str, tuple[type[ServiceSettings], ServiceSchema]] = {
    "learning": (LearningSettings, LEARNING),
    "coaching": (CoachingSettings, COACHING),
    "fidelity": (FidelitySettings, FIDELITY),
    "certification": (CertificationSettings, CERTIFICATION),
}


async def previous_release(service: str, pool: Pool) -> None:
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(hashtext(current_schema() || 'x'))")
        for statement in [*PREVIOUS["kernel"], *PREVIOUS[service]]:
            await conn.execute(statement)


async def timed(
    dsn: str, service: str, name: str, work: Callable[[ServiceSettings, Pool], Awaitable[object]]
) -> float:
    settings_class, _ = SERVICES[service]
    settings = settings_class(
        database_url=SecretStr(dsn), db_schema=name, environment="test", db_pool_max=2
    )
    pool = await create_pool(settings)
    try:
        started = time.perf_counter()
        await work(settings, pool)
        return (time.perf_counter() - started) * 1000
    finally:
        await pool.close()


async def bench(dsn: str, service: str) -> tuple[float, float, float]:
    _, schema = SERVICES[service]
    old: list[float] = []
    new: list[float] = []
    for i in range(ROUNDS):
        old.append(
            await timed(
                dsn, service, f"old_{service}_{i}", lambda _s, p: previous_release(service, p)
            )
        )
        new.append(
            await timed(dsn, service, f"new_{service}_{i}", lambda s, p: migrate(s, schema, p))
        )
    at_head = await timed(dsn, service, f"new_{service}_0", lambda s, p: migrate(s, schema, p))
    return statistics.median(old), statistics.median(new), at_head


def start_postgres(root: Path) -> PostgresServer:
    root.chmod(0o755)
    postgres = PostgresServer(root / "pgdata")
    postgres.start(fast_unsafe=True)  # as the test harness runs it
    postgres.create_database("bench")
    return postgres


async def main() -> None:
    with tempfile.TemporaryDirectory(prefix="miiwrap-bench-") as tmp:
        postgres = start_postgres(Path(tmp))
        try:
            dsn = postgres.dsn("bench")
            await migrate_once(dsn)  # imports and first-use costs out of the figures
            for service in SERVICES:
                old, new, at_head = await bench(dsn, service)
                print(
                    f"migration {service:<13} fresh schema: previous release {old:6.1f} ms,"
                    f" alembic {new:6.1f} ms ({new - old:+.1f} ms); at head {at_head:5.1f} ms"
                )
        finally:
            postgres.stop()


async def migrate_once(dsn: str) -> None:
    await timed(dsn, "coaching", "warm_up", lambda s, p: migrate(s, COACHING, p))


if __name__ == "__main__":
    asyncio.run(main())
