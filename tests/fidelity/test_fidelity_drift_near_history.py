"""Drift read from PostgreSQL near each new observation's date (`near_histories`) gives
the signals, in their order, that the whole stored history gives: for an import's run
and for one recorded observation, over histories longer than the part read, with
late-arriving observations dated inside old windows, observations that do not count
(an uncalibrated observer's, a co-observation) and two instruments."""

from __future__ import annotations

import json
import random
import uuid
from bisect import insort_right
from datetime import date, timedelta
from typing import Any

from services.fidelity.adapters.observation_rows import counted_history
from services.fidelity.domain.drift import DriftThresholds, detect_new_drift
from services.fidelity.domain.events import FidelityDriftDetected, ObservationRecorded
from services.fidelity.domain.scoring import DomainScore, ScoredObservation, fidelity_band
from services.fidelity.domain.trend import ObservationScore
from services.fidelity.handlers.drift import drift_event, record_new_drift, score_from_row
from services.fidelity.handlers.drift_batch import Counted, new_drift_of_run
from shared.auth import Principal, Role
from shared.database import Connection
from shared.testing.apps import runtime_of
from tests.fidelity.fidelity_client import FidelityApi

PRACTITIONERS = ("near-1", "near-2")
INSTRUMENTS = ("tiny", "other")
DOMAINS = ("A", "B", "C")
START = date(2025, 1, 1)
SCORES = (100.0, 90.0, 80.0, 70.0, 60.0, 50.0)


def _scored(rng: random.Random, key: str) -> ScoredObservation:
    """Scores crossing the bands, some domains unscored, in a random order."""
    domains = tuple(
        DomainScore(d, score, fidelity_band(score), 1)
        for d in rng.sample(DOMAINS, rng.randint(1, 3))
        for score in [rng.choice(SCORES)]
    )
    total = rng.choice(SCORES)
    return ScoredObservation(key, 1, total, fidelity_band(total), domains, ())


async def _insert(
    conn: Connection,
    agency: str,
    pair: tuple[str, str],
    on: date,
    scored: ScoredObservation,
    *,
    counted: bool = True,
    co_observation_of: uuid.UUID | None = None,
) -> uuid.UUID:
    observation_id = uuid.uuid4()
    await conn.execute(
        """
        INSERT INTO observations (agency_id, id, practitioner_id, observer_id,
            instrument_key, instrument_version, instrument_kind, meeting_date, setting,
            total, band, domain_scores, item_scores, ratings, observer_calibrated,
            calibration_reason, co_observation_of, content_hash, recorded_by)
        VALUES ($1, $2, $3, 'obs-1', $4, 1, 'team_meeting', $5, 'office', $6, $7,
            $8::text::jsonb, '[]', '{}', $9, 'test', $10, 'hash', 'test')
        """,
        agency,
        observation_id,
        *pair,
        on,
        scored.total,
        scored.band.value,
        json.dumps([{"domain_id": d.domain_id, "score": d.score} for d in scored.domains]),
        counted,
        co_observation_of,
    )
    return observation_id


async def _history(conn: Connection, agency: str, rng: random.Random) -> None:
    """40 counted observations per practitioner and instrument over 50 days, with ones
    that do not count among them, then 10 late ones dated among the others."""
    for late in (False, True):
        for pair in [(p, k) for p in PRACTITIONERS for k in INSTRUMENTS]:
            for _ in range(10 if late else 40):
                on = START + timedelta(days=rng.randint(0, 49))
                first = await _insert(conn, agency, pair, on, _scored(rng, pair[1]))
                if rng.random() < 0.2:  # an uncalibrated observer's, or the meeting again
                    await _insert(conn, agency, pair, on, _scored(rng, pair[1]), counted=False)
                    await _insert(
                        conn, agency, pair, on, _scored(rng, pair[1]), co_observation_of=first
                    )


def _recorded(pair: tuple[str, str], on: date, scored: ScoredObservation) -> ObservationRecorded:
    return ObservationRecorded(
        observation_id=str(uuid.uuid4()),
        practitioner_id=pair[0],
        observer_id="obs-1",
        instrument_key=pair[1],
        instrument_version=1,
        instrument_kind="team_meeting",
        meeting_date=on,
        setting="office",
        total=scored.total,
        band=scored.band.value,
        domain_scores=scored.domain_scores(),
        observer_calibrated=True,
        co_observation_of=None,
    )


async def _whole_history_run(
    conn: Connection, agency: str, counted: list[Counted], thresholds: DriftThresholds
) -> dict[int, list[FidelityDriftDetected]]:
    """The signals of each line as the whole stored history gives them, each once."""
    histories: dict[tuple[str, str], list[ObservationScore]] = {}
    found: dict[int, list[FidelityDriftDetected]] = {}
    sent: set[str] = set()
    for index, recorded, scored in counted:
        pair = (recorded.practitioner_id, recorded.instrument_key)
        if pair not in histories:
            rows = await counted_history(conn, agency, *pair)
            histories[pair] = [score_from_row(r) for r in rows]
        new = ObservationScore.from_scored(recorded.observation_id, recorded.meeting_date, scored)
        for signal in detect_new_drift(histories[pair], new, thresholds):
            event = drift_event(agency, *pair, signal)
            if event.drift_id not in sent:
                sent.add(event.drift_id)
                found.setdefault(index, []).append(event)
        insort_right(histories[pair], new, key=lambda o: o.practice_date)
    return found


async def test_drift_read_near_each_new_date_is_the_whole_history_answer(
    fidelity: FidelityApi,
) -> None:
    runtime = runtime_of(fidelity.app)
    agency = fidelity.agency_id
    principal = Principal("obs-1", agency, frozenset({Role.OBSERVER}))
    rng = random.Random(14)
    pairs = [(p, k) for p in PRACTITIONERS for k in INSTRUMENTS]
    compared = 0
    async with runtime.pool.acquire() as conn:
        await _history(conn, agency, rng)
        for trial in range(16):
            thresholds = DriftThresholds() if trial % 2 else DriftThresholds(2, 2, 0.0)
            run: list[Counted] = []
            for index in range(rng.randint(1, 12)):
                pair = rng.choice(pairs)
                on = START + timedelta(days=rng.randint(-2, 52))
                scored = _scored(rng, pair[1])
                run.append((index, _recorded(pair, on, scored), scored))
            async with conn.transaction():
                expected = await _whole_history_run(conn, agency, run, thresholds)
                assert await new_drift_of_run(conn, principal, run, thresholds) == expected
            compared += sum(len(events) for events in expected.values())

            # one observation recorded alone: stored first, then its drift
            pair = rng.choice(pairs)
            on = START + timedelta(days=rng.randint(-2, 52))
            scored = _scored(rng, pair[1])
            transaction = conn.transaction()
            await transaction.start()
            try:
                new_id = await _insert(conn, agency, pair, on, scored)
                new = ObservationScore.from_scored(str(new_id), on, scored)
                rows = await counted_history(conn, agency, *pair)
                previous = [score_from_row(r) for r in rows if r["id"] != new_id]
                alone = [
                    drift_event(agency, *pair, s)
                    for s in detect_new_drift(previous, new, thresholds)
                ]
                recorded: list[Any] = await record_new_drift(
                    conn,
                    runtime.store,
                    principal,
                    practitioner_id=pair[0],
                    instrument_key=pair[1],
                    new=new,
                    thresholds=thresholds,
                )
                assert recorded == alone
                compared += len(alone)
            finally:
                await transaction.rollback()
    assert compared > 20  # the histories drift, often at several domains at once
