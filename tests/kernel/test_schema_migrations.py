"""Every service schema is its Alembic revisions, equal to its SQLModel models, and a
database made by the previous release (c65b817) upgrades with every row kept.

`previous_release_schema.json` is a frozen copy of the DDL lists the previous release
applied at start-up (kernel first, then each service's), as a fixture: never edit it.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from services.certification.adapters.schema import SCHEMA as CERTIFICATION_SCHEMA
from services.certification.config import CertificationSettings
from services.coaching.adapters.schema import SCHEMA as COACHING_SCHEMA
from services.coaching.bootstrap import create_service_app
from services.coaching.config import CoachingSettings
from services.fidelity.adapters.schema import SCHEMA as FIDELITY_SCHEMA
from services.fidelity.config import FidelitySettings
from services.learning.adapters.schema import SCHEMA as LEARNING_SCHEMA
from services.learning.config import LearningSettings
from shared.config import ServiceSettings
from shared.database import Connection, Pool, create_pool
from shared.schema.kernel_tables import KERNEL_SCHEMA
from shared.schema.runner import current_revision, differences, migrate
from shared.schema.service_schema import ServiceSchema
from shared.testing.apps import running, runtime_of
from tests.kernel.probe import ProbeSettings

PREVIOUS_RELEASE: dict[str, list[str]] = json.loads(
    (Path(__file__).with_name("previous_release_schema.json")).read_text()
)
SERVICES: dict[str, tuple[type[ServiceSettings], ServiceSchema]] = {
    "learning": (LearningSettings, LEARNING_SCHEMA),
    "coaching": (CoachingSettings, COACHING_SCHEMA),
    "fidelity": (FidelitySettings, FIDELITY_SCHEMA),
    "certification": (CertificationSettings, CERTIFICATION_SCHEMA),
    "kernel": (ProbeSettings, KERNEL_SCHEMA),
}
# a value each column type accepts (columns with a default are left to it)
SAMPLES: dict[str, Callable[[], Any]] = {
    "text": lambda: "sample",
    "uuid": uuid.uuid4,
    "int2": lambda: 2,
    "int4": lambda: 4,
    "int8": lambda: 8,
    "float8": lambda: 0.5,
    "bool": lambda: True,
    "date": lambda: date(2025, 3, 4),
    "timestamptz": lambda: datetime(2025, 3, 4, 5, 6, tzinfo=UTC),
    "jsonb": lambda: {"kept": True},
    "bytea": lambda: b"kept",
    "_text": lambda: ["kept"],
    "_uuid": lambda: [uuid.uuid4()],
    "xid8": lambda: "42",  # sent as text, cast in the statement
}
CHECKED = {("roster_departures", "kind"): "left"}  # a column a CHECK constraint limits


@pytest.fixture
async def open_pool(
    settings_for: Callable[..., Any],
) -> AsyncIterator[Callable[[str], Any]]:
    opened: list[Pool] = []

    async def open_for(service: str) -> tuple[ServiceSettings, ServiceSchema, Pool]:
        settings_class, schema = SERVICES[service]
        settings: ServiceSettings = settings_for(settings_class)
        pool = await create_pool(settings, max_size=3)
        opened.append(pool)
        return settings, schema, pool

    yield open_for
    for pool in opened:
        await pool.close()


async def rows_of(conn: Connection) -> dict[str, list[dict[str, Any]]]:
    tables = await conn.fetch(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        " AND table_name <> 'alembic_version' ORDER BY table_name"
    )
    return {
        t["table_name"]: [
            r[0] for r in await conn.fetch(f'SELECT to_jsonb(t) FROM "{t["table_name"]}" t')
        ]
        for t in tables
    }


def kept(before: dict[str, list[dict[str, Any]]], after: dict[str, list[dict[str, Any]]]) -> Any:
    """`after`'s rows seen through `before`'s columns (a later revision may add columns)."""
    return {
        table: sorted(
            json.dumps({column: row.get(column) for column in rows[0]}, sort_keys=True)
            for row in after.get(table, [])
        )
        for table, rows in before.items()
    }


async def insert_a_row_everywhere(conn: Connection) -> None:
    columns = await conn.fetch(
        "SELECT table_name, column_name, udt_name FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND column_default IS NULL"
        " ORDER BY table_name, ordinal_position"
    )
    by_table: dict[str, list[tuple[str, str]]] = {}
    for c in columns:
        by_table.setdefault(c["table_name"], []).append((c["column_name"], c["udt_name"]))
    for table, table_columns in by_table.items():
        names = ", ".join(f'"{name}"' for name, _ in table_columns)
        marks = ", ".join(
            f"${i}::text::xid8" if kind == "xid8" else f"${i}"
            for i, (_, kind) in enumerate(table_columns, start=1)
        )
        values = [CHECKED.get((table, name)) or SAMPLES[kind]() for name, kind in table_columns]
        await conn.execute(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', *values)


async def test_a_kernel_schema_migrated_from_empty_is_what_the_models_declare(
    open_pool: Callable[[str], Any],
) -> None:
    settings, schema, pool = await open_pool("kernel")

    migrated = await migrate(settings, schema, pool)

    assert (migrated.before, migrated.after) == (None, schema.head)
    assert await differences(settings, schema) == []
    async with pool.acquire() as conn:
        assert await current_revision(conn, settings.db_schema) == schema.head
        version_table = await conn.fetchval(
            "SELECT to_regclass(quote_ident($1) || '.alembic_version')", settings.db_schema
        )
        assert version_table is not None
    again = await migrate(settings, schema, pool)
    assert (again.before, again.after) == (schema.head, schema.head)


@pytest.mark.parametrize("service", ["learning", "coaching", "fidelity", "certification"])
async def test_a_database_of_the_previous_release_upgrades_with_every_row_kept(
    service: str, open_pool: Callable[[str], Any]
) -> None:
    settings, schema, pool = await open_pool(service)
    async with pool.acquire() as conn, conn.transaction():
        for statement in [*PREVIOUS_RELEASE["kernel"], *PREVIOUS_RELEASE[service]]:
            await conn.execute(statement)
        await insert_a_row_everywhere(conn)
        before = await rows_of(conn)
    assert all(len(rows) == 1 for rows in before.values()), before

    migrated = await migrate(settings, schema, pool)

    assert (migrated.before, migrated.after) == (None, schema.head)
    async with pool.acquire() as conn:
        assert kept(before, await rows_of(conn)) == kept(before, before)
    assert await differences(settings, schema) == []


async def test_a_release_rolled_back_starts_on_the_schema_a_newer_release_migrated(
    open_pool: Callable[[str], Any],
) -> None:
    settings, schema, pool = await open_pool("kernel")
    await migrate(settings, schema, pool)
    async with pool.acquire() as conn:
        await conn.execute("UPDATE alembic_version SET version_num = '9001'")

    migrated = await migrate(settings, schema, pool)

    assert (migrated.before, migrated.after) == ("9001", "9001")
    async with pool.acquire() as conn:
        assert await current_revision(conn, settings.db_schema) == "9001"


async def test_migrations_started_at_once_take_turns_in_the_database_and_in_the_process(
    open_pool: Callable[[str], Any],
) -> None:
    replicas = [await open_pool("certification")] * 2 + [await open_pool("fidelity")]

    results = await asyncio.gather(*(migrate(*replica) for replica in replicas))

    assert [r.after for r in results] == [schema.head for _, schema, _ in replicas]
    for _, schema, pool in replicas:
        async with pool.acquire() as conn:
            assert await conn.fetchval("SELECT count(*) FROM alembic_version") == 1
            tables = await conn.fetchval(
                "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()"
            )
        assert tables == len(schema.metadata.tables) + 1  # and the version table


async def test_two_replicas_starting_at_once_on_an_empty_schema_both_become_ready(
    settings_for: Callable[..., Any],
) -> None:
    settings: CoachingSettings = settings_for(CoachingSettings)
    apps = [create_service_app(settings), create_service_app(settings)]

    async with AsyncExitStack() as stack:
        clients = await asyncio.gather(*(stack.enter_async_context(running(a)) for a in apps))

        answers = [await client.get("/readyz") for client in clients]
        assert [answer.status_code for answer in answers] == [200, 200]
        async with runtime_of(apps[0]).pool.acquire() as conn:
            assert await current_revision(conn, settings.db_schema) == COACHING_SCHEMA.head
