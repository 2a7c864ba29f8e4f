"""Registering a practitioner: one statement projects the registration and its enrollment
and reads what the evaluation needs, and the answer is built from what was stored; both
must be what the general projection (a rebuild) and a later read give."""

from __future__ import annotations

from nats.aio.client import Client

from services.certification.adapters import locks
from shared.naming import stream_id
from tests.certification.certification_client import CertificationApi
from tests.certification.test_certification_rebuild import projections
from tests.certification.upstream import UpstreamHistory, publish


async def logged_names(api: CertificationApi, practitioner_id: str) -> list[str]:
    async with api.runtime.pool.acquire() as conn:
        rows = await conn.fetch(
            "SELECT name FROM events WHERE agency_id = $1 AND subject = $2 ORDER BY position",
            api.agency_id,
            practitioner_id,
        )
    return [row["name"] for row in rows]


async def test_a_registration_answers_what_a_read_gives_and_stores_what_a_rebuild_writes(
    certification: CertificationApi, nats_client: Client
) -> None:
    # evidence that came before the registration is kept until it, then counts at once
    history = UpstreamHistory.certified_facilitator(certification.agency_id, "early")
    sent = await publish(nats_client, certification.settings.subject_root, history.events)
    await certification.wait_consumed(sent)

    fresh = await certification.register("fresh")
    early = await certification.register("early")

    assert fresh == (await certification.get("/practitioners/fresh")).json()
    assert early == (await certification.get("/practitioners/early")).json()
    assert [h["kind"] for h in early["history"]] == ["registered"]
    assert early["levels"][0]["status"] == "certified"
    assert fresh["levels"][0]["status"] == "in_progress"
    assert await logged_names(certification, "fresh") == [
        "practitioner_registered",
        "evidence_received",
    ]
    early_names = await logged_names(certification, "early")
    assert early_names[-3:-1] == ["practitioner_registered", "evidence_received"]
    assert early_names[-1] == "certification_granted"
    state = await certification.state("early")
    assert state["levels"][0]["status"] == "certified"

    live = await projections(certification)
    rebuilt = await certification.post("/projections/rebuild")
    assert rebuilt.status_code == 200, rebuilt.text
    assert await projections(certification) == live


async def test_a_registration_begins_holding_the_keys_every_other_writer_locks(
    certification: CertificationApi,
) -> None:
    runtime = certification.runtime
    agency_lock, practitioner_lock = await locks.registration_locks(
        runtime, certification.agency_id, "pr-1"
    )
    assert agency_lock.shared and not practitioner_lock.shared
    async with runtime.pool.acquire() as conn:
        same = await conn.fetchval(
            "SELECT hashtextextended(current_schema() || $1, 0) = hashtextextended($2, 0)"
            " AND hashtextextended(current_schema() || $3, 0) = hashtextextended($4, 0)",
            stream_id("agency", certification.agency_id),
            agency_lock.key,
            stream_id("practitioner", certification.agency_id, "pr-1"),
            practitioner_lock.key,
        )
    assert same is True
