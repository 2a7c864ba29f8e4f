"""`miiwrap migrate <service>` from the service's own env vars, and a new revision
written from the models (the procedure of docs/migrations.md)."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import Column, Index, MetaData, Table, Text
from typer.testing import CliRunner

from services.fidelity.adapters.schema import SCHEMA as FIDELITY
from shared.database import create_pool
from shared.schema.kernel_tables import KERNEL_SCHEMA
from shared.schema.kernel_tables import MODELS as KERNEL_MODELS
from shared.schema.runner import differences, migrate, write_revision
from shared.schema.service_schema import ServiceSchema
from shared.servers import free_port
from system.cli import app
from tests.kernel.probe import ProbeSettings


async def miiwrap(env: dict[str, str], *arguments: str) -> Any:
    return await asyncio.to_thread(CliRunner().invoke, app, list(arguments), env=env)


async def test_migrate_brings_the_schema_of_the_service_env_vars_to_the_newest_revision(
    database_url: str, schema: str
) -> None:
    env = {"FIDELITY_DATABASE_URL": database_url, "FIDELITY_DB_SCHEMA": f"{schema}_ops"}

    first = await miiwrap(env, "migrate", "fidelity")
    again = await miiwrap(env, "migrate", "fidelity")

    assert first.exit_code == 0, first.output
    assert f"migrated to revision {FIDELITY.head} (was no version table)" in first.output
    assert again.exit_code == 0, again.output
    assert f"already at revision {FIDELITY.head}" in again.output
    conn = await asyncpg.connect(database_url)
    try:
        tables = await conn.fetchval(
            "SELECT count(*) FROM pg_tables WHERE schemaname = $1", f"{schema}_ops"
        )
    finally:
        await conn.close()
    assert tables > 10


async def test_migrate_says_which_database_it_cannot_reach_and_exits_1(schema: str) -> None:
    env = {
        "COACHING_DATABASE_URL": f"postgresql://ops:s3cret@127.0.0.1:{free_port()}/miiwrap",
        "COACHING_DB_SCHEMA": schema,
        "COACHING_DB_STARTUP_TIMEOUT_SECONDS": "0",
    }

    result = await miiwrap(env, "migrate", "coaching")

    assert result.exit_code == 1
    assert "coaching: database unreachable" in result.output
    assert "ops:***@127.0.0.1" in result.output
    assert "s3cret" not in result.output


async def test_migrate_refuses_a_service_it_does_not_know() -> None:
    result = await miiwrap({}, "migrate", "billing")

    assert result.exit_code == 2
    assert "learning" in result.output  # the choices are listed


async def test_a_revision_written_from_a_new_model_migrates_to_exactly_the_models(
    settings_for: Callable[..., Any], tmp_path: Path
) -> None:
    versions = tmp_path / "versions"
    shutil.copytree(KERNEL_SCHEMA.versions, versions)
    notes = Table(
        "operator_notes",
        MetaData(),
        Column("agency_id", Text, primary_key=True),
        Column("note", Text, nullable=False),
        Index("operator_notes_note_idx", "note"),
    )
    grown = ServiceSchema("kernel", (*KERNEL_MODELS, notes), versions)
    settings: ProbeSettings = settings_for(ProbeSettings)
    pool = await create_pool(settings, max_size=2)
    try:
        await migrate(settings, KERNEL_SCHEMA, pool)  # a database of the earlier release

        written = await write_revision(settings, grown, "add operator notes")

        following = f"{int(KERNEL_SCHEMA.head) + 1:04d}"
        assert written.name == f"v{following}_add_operator_notes.py"
        assert "op.create_table(" in written.read_text()
        upgraded = await migrate(settings, ServiceSchema("kernel", grown.declared, versions), pool)
        assert (upgraded.before, upgraded.after) == (KERNEL_SCHEMA.head, following)
        assert await differences(settings, grown) == []
    finally:
        await pool.close()
