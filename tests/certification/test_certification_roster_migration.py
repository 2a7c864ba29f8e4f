"""A database from before the roster history gets one registration row per practitioner
when the baseline revision takes it under version control."""

from __future__ import annotations

from services.certification.adapters.schema import SCHEMA
from shared.schema.runner import migrate
from tests.certification.certification_client import CertificationApi


async def test_the_migration_gives_practitioners_registered_earlier_their_history_row(
    certification: CertificationApi,
) -> None:
    await certification.register("pr-1")
    await certification.post(
        "/practitioners/pr-1/changes", {"effective_on": "2025-06-02", "team_id": "east"}
    )
    await certification.register("pr-2")
    before = (await certification.get("/practitioners/pr-2")).json()["history"]
    async with certification.runtime.pool.acquire() as conn:
        await conn.execute(
            "DELETE FROM roster_changes WHERE agency_id = $1 AND practitioner_id = 'pr-2'",
            certification.agency_id,
        )
        await conn.execute("DELETE FROM alembic_version")  # made before version control
    assert (await certification.get("/practitioners/pr-2")).json()["history"] == []

    runtime = certification.runtime
    assert (await migrate(runtime.settings, SCHEMA, runtime.pool)).before is None
    assert (await migrate(runtime.settings, SCHEMA, runtime.pool)).before == SCHEMA.head

    assert (await certification.get("/practitioners/pr-2")).json()["history"] == before
    kept = (await certification.get("/practitioners/pr-1")).json()["history"]
    assert [change["kind"] for change in kept] == ["registered", "details_changed"]
    team = (await certification.get("/teams/sup-1", as_of="2025-03-01")).json()
    assert [member["practitioner_id"] for member in team["members"]] == ["pr-1", "pr-2"]
