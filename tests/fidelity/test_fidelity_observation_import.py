"""An import's observations, taken in together, store what posting them one by one stores.

Two fidelity services of the same agency, each with its own schema: one is sent the
observations one POST at a time, the other the same lines as one NDJSON import. Their
events, rows and refusals must be the same, line for line.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import date, timedelta
from typing import Any

import pytest

from services.fidelity.bootstrap import create_service_app
from services.fidelity.config import FidelitySettings
from shared.testing.apps import running, runtime_of
from shared.testing.imports import finished_report, invalid_lines, ndjson, post_import
from tests.fidelity.fidelity_builders import (
    TEAM_MEETING_INDICATORS,
    TINY_INDICATORS,
    TINY_KEY,
    attempt,
    gold_standard,
    observation,
    ratings,
    reference,
    tiny_instrument,
    tiny_observation,
)
from tests.fidelity.fidelity_client import FidelityApi

START = date(2025, 1, 1)
_REFERENCE = reference(
    instrument_key=TINY_KEY, meeting_date=date(2024, 12, 1), gold=gold_standard(TINY_INDICATORS)
)
_ATTEMPT = attempt(_REFERENCE["id"], date(2024, 12, 1), gold_standard(TINY_INDICATORS))


@pytest.fixture
async def posted(
    settings_for: Callable[..., Any], schema: str, fidelity: FidelityApi
) -> AsyncIterator[FidelityApi]:
    """A second fidelity of the same agency in its own schema, for the one-by-one POSTs."""
    settings: FidelitySettings = settings_for(
        FidelitySettings, db_schema=f"{schema}_fidelity_posted"
    )
    app = create_service_app(settings)
    async with running(app) as client:
        fidelity.roster.copies.append(runtime_of(app).pool)
        yield FidelityApi(client, settings, fidelity.agency_id, app, fidelity.roster)


async def _prepared(api: FidelityApi) -> None:
    """The tiny tool, and obs-1 calibrated on it (same ids in both services)."""
    await api.publish(tiny_instrument())
    assert (await api.post("/calibration/references", _REFERENCE)).status_code == 201
    answer = await api.post("/calibration/attempts", _ATTEMPT, "observer", "obs-1")
    assert answer.status_code == 201 and answer.json()["passed"], answer.text


def _day(n: int) -> date:
    return START + timedelta(days=n)


def _lines() -> list[dict[str, Any]]:
    """Drift on a calibrated observer's run (one line back-dated), an uncalibrated
    observer, a co-observation, a repeat, and refusals in the middle."""
    steady = [tiny_observation(9, meeting_date=_day(n)) for n in (1, 2, 3)]
    drop = tiny_observation(6, meeting_date=_day(5))
    return [
        *steady,
        drop,
        tiny_observation(4, meeting_date=_day(4)),  # back-dated below the drop
        tiny_observation(1, meeting_date=_day(6), observer_id="obs-uncalibrated"),
        tiny_observation(9, meeting_date=_day(3), practitioner_id="prac-1", id="not-a-uuid"),
        tiny_observation(9, meeting_date=_day(7), observer_id="prac-1"),  # observes self
        observation(practitioner_id="prac-nobody", meeting_date=_day(7)),  # not on roster
        tiny_observation(
            9, meeting_date=_day(1), observer_id="obs-2", co_observation_of=steady[0]["id"]
        ),
        observation(
            instrument_key=TINY_KEY, meeting_date=_day(8), rated=ratings(TINY_INDICATORS[:3])
        ),
        observation(practitioner_id="prac-2", meeting_date=_day(2)),
        dict(drop),  # the same line again: a repeat
        {**drop, "setting": "office"},  # its id with other content: a conflict
        observation(practitioner_id="prac-2", meeting_date=_day(3), instrument_version=9),
        tiny_observation(2, meeting_date=_day(9)),
        observation(
            practitioner_id="prac-2",
            meeting_date=_day(4),
            rated=ratings(TEAM_MEETING_INDICATORS, TM_ENG_1_a="sometimes"),
        ),
        tiny_observation(8, meeting_date=_day(10), setting='caf\u00e9 "back\\room" \u2713'),
    ]


def _comparable(problem: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in problem.items() if k not in ("instance", "request_id")}


async def _stored(api: FidelityApi) -> dict[str, Any]:
    """Everything the observations left, without what differs by nature (times, seqs,
    the random ids of events that are not derived from their content)."""
    async with runtime_of(api.app).pool.acquire() as conn:
        events = await conn.fetch(
            "SELECT stream_id, stream_version, name, schema_version, subject, occurred_at,"
            " data, metadata->>'actor' AS actor,"
            " CASE WHEN name = 'fidelity_drift_detected' THEN event_id END AS event_id"
            " FROM events WHERE stream_id LIKE 'observation/%' OR stream_id LIKE 'drift/%'"
            " ORDER BY stream_id, stream_version"
        )
        tables = {}
        for table, key in (
            ("observations", "id"),
            ("drift_signals", "id"),
            ("co_observation_comparisons", "observation_id"),
        ):
            rows = await conn.fetch(f"SELECT * FROM {table} ORDER BY {key}")
            tables[table] = [
                {k: v for k, v in r.items() if k not in ("seq", "recorded_at")} for r in rows
            ]
        order = await conn.fetch("SELECT id FROM observations ORDER BY seq")
        appended = await conn.fetch(
            "SELECT stream_id, stream_version FROM events"
            " WHERE stream_id LIKE 'observation/%' OR stream_id LIKE 'drift/%' ORDER BY position"
        )
    return {
        "events": [dict(r) for r in events],
        **tables,
        "recording order": [r["id"] for r in order],
        "event order": [tuple(r) for r in appended],
    }


async def test_an_import_stores_exactly_what_posting_each_observation_in_turn_stores(
    fidelity: FidelityApi, posted: FidelityApi
) -> None:
    for api in (fidelity, posted):
        await _prepared(api)
        await api.roster.ensure("prac-1", "prac-2")
    lines = _lines()
    answers = [await posted.post("/observations", line, on_roster=False) for line in lines]

    response = await post_import(
        fidelity.client, fidelity.headers(), ndjson({"kind": "observation", **x} for x in lines)
    )
    report = await finished_report(fidelity.client, fidelity.headers(), response.json()["id"])

    refused = {n: a.json() for n, a in enumerate(answers, start=1) if a.status_code >= 400}
    assert sorted(refused) == [7, 8, 9, 11, 14, 15, 17]
    assert (report["stored"], report["already_present"], report["invalid"]) == (
        sum(a.status_code == 201 for a in answers),
        sum(a.status_code == 200 for a in answers),
        len(refused),
    )
    errors = await invalid_lines(fidelity.client, fidelity.headers(), report["id"])
    assert {e["line"]: _comparable(e["problem"]) for e in errors} == {
        n: _comparable(problem) for n, problem in refused.items()
    }
    imported, one_by_one = await _stored(fidelity), await _stored(posted)
    assert len(imported["drift_signals"]) >= 2 and len(imported["co_observation_comparisons"]) == 1
    assert imported == one_by_one


async def test_a_dry_run_foretells_the_import_and_a_resent_import_stores_nothing_more(
    fidelity: FidelityApi,
) -> None:
    await _prepared(fidelity)
    await fidelity.roster.ensure("prac-1", "prac-2")
    body = ndjson({"kind": "observation", **line} for line in _lines())
    dry = (await post_import(fidelity.client, fidelity.headers(), body, dry_run=True)).json()
    assert await fidelity.count("observations") == 0
    first = await post_import(fidelity.client, fidelity.headers(), body)
    done = await finished_report(fidelity.client, fidelity.headers(), first.json()["id"])
    before = await _stored(fidelity)

    counts = ("stored", "already_present", "invalid")
    assert [dry[c] for c in counts] == [done[c] for c in counts]
    assert done["stored"] == len(before["observations"])

    again = await post_import(fidelity.client, fidelity.headers(), body)
    report = await finished_report(fidelity.client, fidelity.headers(), again.json()["id"])

    assert (report["stored"], report["already_present"]) == (0, len(before["observations"]) + 1)
    assert await _stored(fidelity) == before


async def test_an_observation_taken_in_with_others_is_read_back_like_a_posted_one(
    fidelity: FidelityApi,
) -> None:
    await fidelity.roster.ensure("prac-1")
    line = observation(meeting_date=_day(2))
    answer = await post_import(
        fidelity.client,
        fidelity.headers(),
        ndjson(
            [
                {"kind": "observation", **observation(meeting_date=_day(1))},
                {"kind": "observation", **line},
            ]
        ),
    )
    await finished_report(fidelity.client, fidelity.headers(), answer.json()["id"])

    stored = (await fidelity.get(f"/observations/{line['id']}")).json()

    assert stored["recorded_by"] == f"{fidelity.agency_id}/admin-1"
    assert stored["observer_id"] == "obs-1" and stored["observer_calibrated"] is False
    assert stored["total"] == 100.0 and stored["co_observation_of"] is None
    assert uuid.UUID(stored["id"]) == uuid.UUID(line["id"])


async def test_an_observation_line_waits_for_the_worker_uncompressed(
    fidelity: FidelityApi,
) -> None:
    """A pending line (~3 KB of ratings) is kept as it was sent, not compressed: it is
    read back once and cleared with its outcome, so pglz bought nothing."""
    text = json.dumps({"kind": "observation", **observation()})
    async with runtime_of(fidelity.app).pool.acquire() as conn:
        transaction = conn.transaction()
        await transaction.start()
        try:  # rolled back: nothing of this row is kept
            import_id = uuid.uuid4()
            await conn.execute(
                """INSERT INTO import_lines (agency_id, import_id, line_no, kind, record_id,
                       fields)
                   VALUES ($1, $2, 1, 'observation', 'x', to_jsonb($3::text))""",
                fidelity.agency_id,
                import_id,
                text,
            )
            stored = await conn.fetchval(
                "SELECT pg_column_size(fields) FROM import_lines WHERE import_id = $1",
                import_id,
            )
        finally:
            await transaction.rollback()

    assert len(text) > 2500
    assert stored > len(text)
