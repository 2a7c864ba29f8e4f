"""Rebuild: dropping the projections and replaying certification's own log gives the live state."""

from __future__ import annotations

import json
import random
from datetime import date
from typing import Any

import pytest
from nats.aio.client import Client

from services.certification.adapters.schema import PROJECTION_TABLES
from services.certification.handlers import rebuild
from shared.database import Connection
from tests.certification.certification_client import CertificationApi
from tests.certification.policy_drafts import policy_json
from tests.certification.test_certification_clock import certified
from tests.certification.upstream import UpstreamHistory, publish


async def projections(api: CertificationApi) -> dict[str, list[str]]:
    """Every projection row of the agency, as comparable text."""
    dump: dict[str, list[str]] = {}
    async with api.runtime.pool.acquire() as conn:
        for table in PROJECTION_TABLES:
            rows = await conn.fetch(f"SELECT * FROM {table} WHERE agency_id = $1", api.agency_id)
            dump[table] = sorted(json.dumps(dict(row), sort_keys=True, default=str) for row in rows)
    return dump


async def api_views(api: CertificationApi) -> list[Any]:
    roster = (await api.get("/practitioners")).json()["items"]
    views: list[Any] = [roster]
    for entry in roster:
        practitioner_id = entry["practitioner_id"]
        views += [await api.state(practitioner_id), await api.history(practitioner_id)]
    return views


async def live_history(api: CertificationApi, nats_client: Client) -> None:
    """A varied history: grants, a late-evidence correction, a revocation, the clock, policies."""
    root = api.settings.subject_root
    await certified(api, nats_client, "veteran")
    await certified(api, nats_client, "revoked")
    await api.post("/practitioners/revoked/revocations", {"reason": "records falsified"})
    await api.register("shuffled")
    shuffled = UpstreamHistory.certified_facilitator(api.agency_id, "shuffled").events
    random.Random(3).shuffle(shuffled)
    before = await api.consumed()
    await api.wait_consumed(before + await publish(nats_client, root, shuffled))
    await api.register("newcomer", program_start=date(2025, 12, 1))
    broken = UpstreamHistory(api.agency_id, "newcomer").rated("ENG", "superb", date(2025, 12, 5))
    await publish(nats_client, root, broken.events)
    await api.wait_consumed(before + len(shuffled) + 1)
    await api.tick(date(2026, 8, 29))  # the veteran goes at risk with no new event
    assert (await api.post("/policies", policy_json(2))).status_code == 201
    adopted = await api.post(
        "/policies/adoptions", {"policy_id": "miiwrap-default", "policy_version": 2}
    )
    assert adopted.status_code == 201  # re-evaluates everyone as of today


async def _log_again(conn: Connection, agency_id: str, data_and_metadata: str, which: str) -> None:
    """The agency's events that `which` selects logged again in a stream of their own,
    their data and metadata as `data_and_metadata` gives them (SQL over the row)."""
    await conn.execute(
        f"""
        INSERT INTO events (event_id, stream_id, stream_version, agency_id, name,
            schema_version, occurred_at, recorded_at, data, metadata, subject)
        SELECT gen_random_uuid(), stream_id || '-again', 1, agency_id, name,
            schema_version, occurred_at, recorded_at, {data_and_metadata}, subject
        FROM events WHERE agency_id = $1 AND {which}
        """,
        agency_id,
    )


async def test_rebuild_from_the_log_gives_exactly_the_live_state(
    certification: CertificationApi, nats_client: Client
) -> None:
    await live_history(certification, nats_client)
    live_rows, live_views = await projections(certification), await api_views(certification)
    assert await certification.status("veteran") == "at_risk"
    assert live_rows["transitions"] and live_rows["evidence"]
    async with certification.runtime.pool.acquire() as conn:
        logged = await conn.fetchval(
            "SELECT count(*) FROM events WHERE agency_id = $1", certification.agency_id
        )

    response = await certification.post("/projections/rebuild")

    assert response.status_code == 200, response.text
    report = response.json()
    assert report["events_replayed"] == logged
    assert report["practitioners_evaluated"] == 4
    assert report["transitions_published"] == 0
    assert report["seconds"] > 0 and report["events_per_second"] > 0
    assert await projections(certification) == live_rows
    assert await api_views(certification) == live_views


async def test_a_rebuild_touches_only_the_callers_agency(
    certification: CertificationApi, nats_client: Client
) -> None:
    await certified(certification, nats_client, "pr-1")
    other = await certification.post("/projections/rebuild", agency="other-agency")
    assert other.json()["events_replayed"] == 0
    assert await certification.status("pr-1") == "certified"
    assert (await certification.post("/projections/rebuild", role="auditor")).status_code == 403


async def test_a_rebuild_keeps_the_first_item_of_an_evidence_event_logged_twice(
    certification: CertificationApi, nats_client: Client
) -> None:
    await certified(certification, nats_client, "pr-1")
    live_rows = await projections(certification)
    async with certification.runtime.pool.acquire() as conn:
        # a redelivery the intake let through: the same item logged again, later, its
        # content changed (a rebuild must keep the first, as the live intake did)
        await _log_again(
            conn,
            certification.agency_id,
            "jsonb_set(data, '{item,note}', '\"logged again\"'), metadata",
            "name = 'evidence_received' ORDER BY position LIMIT 1",
        )

    response = await certification.post("/projections/rebuild")

    assert response.status_code == 200, response.text
    assert await projections(certification) == live_rows
    assert await certification.status("pr-1") == "certified"


async def evidence_analyses(api: CertificationApi) -> int:
    """How often the evidence table was analyzed by a statement (autovacuum's not counted)."""
    async with api.runtime.pool.acquire() as conn:
        count: int = await conn.fetchval(
            "SELECT analyze_count FROM pg_stat_user_tables WHERE relid = 'evidence'::regclass"
        )
    return count


async def test_a_large_rebuild_analyzes_the_evidence_it_wrote_before_the_folds_read_it(
    certification: CertificationApi, nats_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    await certified(certification, nats_client, "pr-1")
    small = await evidence_analyses(certification)
    assert (await certification.post("/projections/rebuild")).status_code == 200
    assert await evidence_analyses(certification) == small  # a few events: nothing to gain

    monkeypatch.setattr(rebuild, "ANALYZED_FROM", 1)
    response = await certification.post("/projections/rebuild")

    assert response.status_code == 200, response.text
    assert await evidence_analyses(certification) == small + 1
    assert await certification.status("pr-1") == "certified"


async def row_versions(api: CertificationApi) -> dict[str, list[str]]:
    """The versions of the agency's evidence and roster rows (xmin: a row written again
    gets a new one)."""
    versions = {}
    async with api.runtime.pool.acquire() as conn:
        for table in ("evidence", "practitioners", "roster_changes"):
            rows = await conn.fetch(
                f"SELECT xmin::text AS version FROM {table} WHERE agency_id = $1",
                api.agency_id,
            )
            versions[table] = sorted(row["version"] for row in rows)
    return versions


async def test_a_rebuild_keeps_the_evidence_and_roster_rows_equal_to_what_the_log_projects(
    certification: CertificationApi, nats_client: Client
) -> None:
    await certified(certification, nats_client, "pr-1")
    await certification.register("pr-2")
    live_rows, versions = await projections(certification), await row_versions(certification)
    assert all(versions.values())

    response = await certification.post("/projections/rebuild")

    assert response.status_code == 200, response.text
    assert await row_versions(certification) == versions  # not written again
    assert await projections(certification) == live_rows
    assert await certification.status("pr-1") == "certified"


# the roster's rows changed and lost
_ROSTER_TAMPERED = (
    "UPDATE practitioners SET coach_id = 'someone-else' WHERE agency_id = $1"
    " AND practitioner_id = 'pr-1'",
    "DELETE FROM roster_changes WHERE agency_id = $1 AND practitioner_id = 'pr-2'",
)
# an evidence item changed, one row lost, one row the log never held
_EVIDENCE_TAMPERED = (
    "UPDATE evidence SET item = jsonb_set(item, '{note}', '\"edited\"') WHERE agency_id = $1"
    " AND event_id = (SELECT min(event_id) FROM evidence WHERE agency_id = $1)",
    "INSERT INTO evidence SELECT agency_id, 'stray', practitioner_id, kind, occurred_on,"
    " source, item, position FROM evidence WHERE agency_id = $1 ORDER BY event_id LIMIT 1",
    "DELETE FROM evidence WHERE agency_id = $1"
    " AND event_id = (SELECT max(event_id) FROM evidence WHERE agency_id = $1)",
)


@pytest.mark.parametrize("tampered", [_ROSTER_TAMPERED, _EVIDENCE_TAMPERED])
async def test_a_rebuild_writes_again_the_rows_that_differ_from_what_the_log_projects(
    certification: CertificationApi, nats_client: Client, tampered: tuple[str, ...]
) -> None:
    await certified(certification, nats_client, "pr-1")
    await certification.register("pr-2")
    live_rows = await projections(certification)
    async with certification.runtime.pool.acquire() as conn:
        for statement in tampered:
            assert (await conn.execute(statement, certification.agency_id)).endswith(" 1")
    assert await projections(certification) != live_rows

    response = await certification.post("/projections/rebuild")

    assert response.status_code == 200, response.text
    assert await projections(certification) == live_rows


async def test_a_rebuild_drops_the_evidence_a_logged_retraction_took_back(
    certification: CertificationApi, nats_client: Client
) -> None:
    await certified(certification, nats_client, "pr-1")
    async with certification.runtime.pool.acquire() as conn:
        retracted = await conn.fetchval(
            "SELECT event_id FROM evidence WHERE agency_id = $1 AND kind = 'module_mastered'"
            " ORDER BY position LIMIT 1",
            certification.agency_id,
        )
        assert retracted is not None
        # a retraction in the log that the stored evidence does not show yet
        await conn.execute(
            """
            INSERT INTO events (event_id, stream_id, stream_version, agency_id, name,
                schema_version, occurred_at, recorded_at, data, metadata, subject)
            SELECT gen_random_uuid(), 'retraction-' || $2, 1, agency_id,
                'evidence_retracted', 1, occurred_at, recorded_at,
                jsonb_build_object('practitioner_id', 'pr-1', 'source', 'learning',
                    'source_type', 'miiwrap.learning.evidence_retracted.v1',
                    'retraction_id', 'r-1', 'event_ids', jsonb_build_array($2::text)),
                metadata, subject
            FROM events WHERE agency_id = $1 AND name = 'evidence_received'
            ORDER BY position DESC LIMIT 1
            """,
            certification.agency_id,
            retracted,
        )

    response = await certification.post("/projections/rebuild")

    assert response.status_code == 200, response.text
    after = await projections(certification)
    assert retracted not in {json.loads(row)["event_id"] for row in after["evidence"]}
    assert [json.loads(row)["event_id"] for row in after["evidence_retractions"]] == [retracted]


async def _not_in_sql(conn: Any, agency_id: str) -> None:
    return None  # the roster replayed in Python, event by event


async def test_a_practitioner_registered_twice_is_rebuilt_as_the_replay_in_python_gives_it(
    certification: CertificationApi, nats_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    await certified(certification, nats_client, "pr-1")
    await certification.register("pr-2")
    async with certification.runtime.pool.acquire() as conn:
        await _log_again(
            conn,
            certification.agency_id,
            "jsonb_set(data, '{coach_id}', '\"another-coach\"'), '{}'",
            "name = 'practitioner_registered' AND data->>'practitioner_id' = 'pr-2'",
        )
    with monkeypatch.context() as patched:
        patched.setattr(rebuild, "project_logged_registrations", _not_in_sql)
        assert (await certification.post("/projections/rebuild")).status_code == 200
    in_python = await projections(certification)
    assert len(in_python["roster_changes"]) == 3
    assert "another-coach" in next(r for r in in_python["practitioners"] if '"pr-2"' in r)

    response = await certification.post("/projections/rebuild")

    assert response.status_code == 200, response.text
    assert await projections(certification) == in_python
