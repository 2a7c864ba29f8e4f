"""Evidence held parsed between evaluations is served only where a fresh read confirms it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from nats.aio.client import Client

from services.certification.adapters import evidence_rows
from services.certification.adapters.evaluation_reads import evaluation_inputs
from services.certification.adapters.evidence_cache import PARSED_EVIDENCE
from shared.database import Connection
from tests.certification.certification_client import CertificationApi
from tests.certification.upstream import UpstreamHistory, publish


async def test_a_held_practitioner_is_evaluated_on_the_rows_read_now_not_on_what_was_held(
    certification: CertificationApi, nats_client: Client
) -> None:
    async with _certified_and_held(certification, nats_client, "pr-1") as conn:
        await _read_after_rows_changed(conn, certification.agency_id)


async def _read_after_rows_changed(conn: Connection, agency_id: str) -> None:
    rows = await conn.fetch(
        "SELECT event_id, position FROM evidence"
        " WHERE agency_id = $1 AND practitioner_id = 'pr-1' ORDER BY position",
        agency_id,
    )
    held = PARSED_EVIDENCE.held(agency_id, "pr-1")
    assert {position: event_id for position, (event_id, _) in held.items()} == {
        row["position"]: row["event_id"] for row in rows
    }  # the intake's evaluation left every item held
    gone, moved = rows[0]["event_id"], rows[1]["event_id"]
    # a row retracted meanwhile (by another replica), and one no longer where it was
    await conn.execute(
        "DELETE FROM evidence WHERE agency_id = $1 AND event_id = $2", agency_id, gone
    )
    await conn.execute(
        "UPDATE evidence SET position = position + 1000000000"
        " WHERE agency_id = $1 AND event_id = $2",
        agency_id,
        moved,
    )
    read = await evaluation_inputs(conn, agency_id, ["pr-1"], with_evidence=True)
    fresh = await evidence_rows.evidence_sets(conn, agency_id, ["pr-1"])
    assert dict(read.evidence["pr-1"]) == dict(fresh["pr-1"])
    assert gone not in read.evidence["pr-1"] and moved in read.evidence["pr-1"]
    assert len(read.evidence["pr-1"]) == len(rows) - 1
    held_now = PARSED_EVIDENCE.held(agency_id, "pr-1")
    assert sorted(event_id for event_id, _ in held_now.values()) == sorted(
        row["event_id"] for row in rows if row["event_id"] != gone
    )


async def test_a_row_committed_late_below_the_held_ones_in_place_of_a_retracted_one_is_read(
    certification: CertificationApi, nats_client: Client
) -> None:
    """As many rows as held up to the last held position, but not the same ones."""
    agency_id = certification.agency_id
    async with _certified_and_held(certification, nats_client, "pr-2") as conn:
        rows = await conn.fetch(
            "SELECT event_id, position FROM evidence"
            " WHERE agency_id = $1 AND practitioner_id = 'pr-2' ORDER BY position",
            agency_id,
        )
        assert len(PARSED_EVIDENCE.held(agency_id, "pr-2")) == len(rows)
        gone, copied = rows[-1]["event_id"], rows[0]
        await conn.execute(
            "DELETE FROM evidence WHERE agency_id = $1 AND event_id = $2", agency_id, gone
        )
        await conn.execute(
            "INSERT INTO evidence (agency_id, event_id, practitioner_id, kind, occurred_on,"
            " source, item, position)"
            " SELECT agency_id, 'late-' || event_id, practitioner_id, kind, occurred_on,"
            " source, jsonb_set(item, '{event_id}', to_jsonb('late-' || event_id)), $3"
            " FROM evidence WHERE agency_id = $1 AND event_id = $2",
            agency_id,
            copied["event_id"],
            copied["position"] - 1,  # below every held row (logged after the registration)
        )
        read = await evaluation_inputs(conn, agency_id, ["pr-2"], with_evidence=True)
        fresh = await evidence_rows.evidence_sets(conn, agency_id, ["pr-2"])
        assert dict(read.evidence["pr-2"]) == dict(fresh["pr-2"])
        assert gone not in read.evidence["pr-2"]
        assert f"late-{copied['event_id']}" in read.evidence["pr-2"]


@asynccontextmanager
async def _certified_and_held(
    certification: CertificationApi, nats_client: Client, practitioner_id: str
) -> AsyncIterator[Connection]:
    """A connection in a transaction rolled back afterwards (the rows stay as the intake
    stored them), once the practitioner's certified history has been taken in and held."""
    await certification.register(practitioner_id)
    history = UpstreamHistory.certified_facilitator(certification.agency_id, practitioner_id)
    sent = await publish(nats_client, certification.settings.subject_root, history.events)
    await certification.wait_consumed(sent)
    async with certification.rolled_back() as conn:
        yield conn
