"""Drift for a run of observations taken in together: `record_new_drift` line by line.

Each counted observation (calibrated observer, first of its meeting) sees the stored
history and the run's observations before it, in the order consecutive POSTs would
record them; a signal already stored, or found by an earlier line, is not emitted again.
The look-ups are one statement each for the run: the locks, the histories, the stored
signals.
"""

from __future__ import annotations

from bisect import insort_right
from collections.abc import Sequence
from datetime import date

from services.fidelity.adapters.observation_batch_rows import (
    counted_histories,
    lock_drift_streams,
    stored_drift_ids,
)
from services.fidelity.domain.drift import DriftThresholds, detect_new_drift
from services.fidelity.domain.events import FidelityDriftDetected, ObservationRecorded
from services.fidelity.domain.scoring import ScoredObservation
from services.fidelity.domain.trend import ObservationScore
from services.fidelity.handlers.drift import drift_event, score_from_row
from shared.auth import Principal
from shared.database import Connection

# (the line's index in the run, its event, its scores)
Counted = tuple[int, ObservationRecorded, ScoredObservation]


async def new_drift_of_run(
    conn: Connection,
    principal: Principal,
    counted: Sequence[Counted],
    thresholds: DriftThresholds,
) -> dict[int, list[FidelityDriftDetected]]:
    """The new signals of each counted line, by its index, in line order."""
    if not counted:
        return {}
    agency = principal.agency_id
    pairs = list(dict.fromkeys((r.practitioner_id, r.instrument_key) for _, r, _ in counted))
    await lock_drift_streams(conn, agency, [f"{p}|{k}" for p, k in pairs])
    stored_rows = await counted_histories(conn, agency, pairs)
    history = {pair: [score_from_row(r) for r in rows] for pair, rows in stored_rows.items()}
    found: dict[int, list[FidelityDriftDetected]] = {}
    for index, recorded, scored in counted:
        pair = (recorded.practitioner_id, recorded.instrument_key)
        new = ObservationScore.from_scored(recorded.observation_id, recorded.meeting_date, scored)
        previous = history[pair]
        signals = detect_new_drift(previous, new, thresholds)
        found[index] = [drift_event(agency, *pair, signal) for signal in signals]
        # counted history order: meeting date, then recording order (a stable sort's)
        insort_right(previous, new, key=_practice_date)
    candidates = [event.drift_id for events in found.values() for event in events]
    already = await stored_drift_ids(conn, agency, candidates) if candidates else set()
    emitted: dict[int, list[FidelityDriftDetected]] = {}
    for index, events in found.items():
        for event in events:  # a signal stored once is never emitted again
            if event.drift_id not in already:
                already.add(event.drift_id)
                emitted.setdefault(index, []).append(event)
    return emitted


def _practice_date(score: ObservationScore) -> date:
    return score.practice_date
