"""Drift for a run of observations taken in together: `record_new_drift` line by line.

Each counted observation (calibrated observer, first of its meeting) sees the stored
history and the run's observations before it, in the order consecutive POSTs would
record them; a signal already stored, or found by an earlier line, is not emitted again.
The look-ups are one statement each for the run: the locks, the history near each
line (`drift_history_rows.py`), the stored signals.
"""

from __future__ import annotations

from bisect import insort_right
from collections.abc import Sequence
from datetime import date

from services.fidelity.adapters.drift_history_rows import near_histories
from services.fidelity.adapters.observation_batch_rows import (
    lock_drift_streams,
    stored_drift_ids,
)
from services.fidelity.domain.drift import DriftThresholds, detect_new_drift, drift_reach
from services.fidelity.domain.events import FidelityDriftDetected, ObservationRecorded
from services.fidelity.domain.scoring import ScoredObservation
from services.fidelity.domain.trend import ObservationScore
from services.fidelity.handlers.drift import drift_event, score_from_row
from shared.auth import Principal
from shared.database import Connection

# (the line's index in the run, its event, its scores)
Counted = tuple[int, ObservationRecorded, ScoredObservation]

# a run's line is recorded after every stored observation (whose seq is a bigint)
_AFTER_STORED = 2**63


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
    # the stored history near each line's date (with the run's lines before it, the
    # history near it), and where the stored history first scores each domain
    near = await near_histories(
        conn,
        agency,
        [(r.practitioner_id, r.instrument_key, r.meeting_date) for _, r, _ in counted],
        list(
            dict.fromkeys(
                (r.practitioner_id, r.instrument_key, d.domain_id)
                for _, r, scored in counted
                for d in scored.domains
            )
        ),
        drift_reach(thresholds),
    )
    history = {pair: [score_from_row(r) for r in near[pair].rows] for pair in pairs}
    found: dict[int, list[FidelityDriftDetected]] = {}
    for order, (index, recorded, scored) in enumerate(counted):
        pair = (recorded.practitioner_id, recorded.instrument_key)
        new = ObservationScore.from_scored(recorded.observation_id, recorded.meeting_date, scored)
        # recorded after every stored observation and the run's lines before it
        first_seen = near[pair].first_seen
        for place, domain_id in enumerate(new.domain_scores, start=1):
            seen_here = (new.practice_date, _AFTER_STORED + order, place)
            first_seen[domain_id] = min(first_seen.get(domain_id, seen_here), seen_here)
        previous = history[pair]
        signals = detect_new_drift(previous, new, thresholds, first_seen=first_seen)
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
