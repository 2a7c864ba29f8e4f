"""Observations of an import batch in SQL: each look-up and each write one statement.

JSON columns travel as text cast to json or jsonb: a jsonb[] parameter would take a value
that is itself a list (domain scores, observation ids) for a dimension of the array.

The same rows `observation_rows`, `drift_rows` and `calibration_rows` read and write one
record at a time, for a batch of records at once.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic_core import to_json

from services.fidelity.adapters.calibration_rows import attempt_from_row
from services.fidelity.domain.calibration import CalibrationAttempt
from services.fidelity.domain.events import FidelityDriftDetected, ObservationRecorded
from services.fidelity.domain.scoring import DomainScore, ItemScore, ScoredObservation
from shared.database import Connection


@dataclass(frozen=True, slots=True)
class ObservationRow:
    """One observation to store: its event and what the row keeps beside it."""

    event: ObservationRecorded
    scored: ScoredObservation
    calibration_reason: str
    content_hash: str
    recorded_by: str


async def stored_fingerprints(
    conn: Connection, agency_id: str, observation_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, str]:
    """The content hash of each of these observations already stored."""
    rows = await conn.fetch(
        "SELECT id, content_hash FROM observations WHERE agency_id = $1 AND id = ANY($2::uuid[])",
        agency_id,
        list(observation_ids),
    )
    return {r["id"]: r["content_hash"] for r in rows}


async def insert_observations(
    conn: Connection, agency_id: str, rows: Sequence[ObservationRow]
) -> None:
    """`insert_observation` for many rows, in their order (so `seq` follows it)."""
    if not rows:
        return
    await conn.execute(
        """
        INSERT INTO observations (agency_id, id, practitioner_id, observer_id, instrument_key,
            instrument_version, instrument_kind, meeting_date, setting, total, band,
            domain_scores, item_scores, ratings, observer_calibrated, calibration_reason,
            co_observation_of, content_hash, recorded_by, imported, source)
        SELECT $1, r.id, r.practitioner_id, r.observer_id, r.instrument_key,
            r.instrument_version, r.instrument_kind, r.meeting_date, r.setting, r.total,
            r.band, r.domain_scores::jsonb, r.item_scores::json, r.ratings::json,
            r.observer_calibrated,
            r.calibration_reason, NULL, r.content_hash, r.recorded_by, r.imported, r.source
        FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::int[], $7::text[],
            $8::date[], $9::text[], $10::float8[], $11::text[], $12::text[], $13::text[],
            $14::text[], $15::bool[], $16::text[], $17::text[], $18::text[], $19::bool[],
            $20::text[]) WITH ORDINALITY
            AS r(id, practitioner_id, observer_id, instrument_key, instrument_version,
                 instrument_kind, meeting_date, setting, total, band, domain_scores,
                 item_scores, ratings, observer_calibrated, calibration_reason, content_hash,
                 recorded_by, imported, source, n)
        ORDER BY r.n
        """,
        agency_id,
        [uuid.UUID(r.event.observation_id) for r in rows],
        [r.event.practitioner_id for r in rows],
        [r.event.observer_id for r in rows],
        [r.event.instrument_key for r in rows],
        [r.event.instrument_version for r in rows],
        [r.event.instrument_kind for r in rows],
        [r.event.meeting_date for r in rows],
        [r.event.setting for r in rows],
        [r.event.total for r in rows],
        [r.event.band for r in rows],
        [_json([_domain_json(d) for d in r.scored.domains]) for r in rows],
        [_json([_item_json(i) for i in r.scored.items]) for r in rows],
        [_json(r.event.ratings) for r in rows],
        [r.event.observer_calibrated for r in rows],
        [r.calibration_reason for r in rows],
        [r.content_hash for r in rows],
        [r.recorded_by for r in rows],
        [r.event.imported for r in rows],
        [r.event.source for r in rows],
    )


def _json(value: Any) -> str:
    """JSON text of plain values, encoded by pydantic-core: about twice as fast as
    `json.dumps` for the ~50 item scores of a line, and the same values."""
    return to_json(value).decode()


def _domain_json(domain: DomainScore) -> dict[str, Any]:
    """What `insert_observation` stores of a domain score (`asdict`, without its deep
    copy: it cost a line more than its SQL)."""
    return {
        "domain_id": domain.domain_id,
        "score": domain.score,
        "band": domain.band.value,
        "item_count": domain.item_count,
    }


def _item_json(item: ItemScore) -> dict[str, Any]:
    return {
        "item_id": item.item_id,
        "domain_id": item.domain_id,
        "present": item.present,
        "applicable": item.applicable,
        "score": item.score,
    }


async def calibration_histories(
    conn: Connection, agency_id: str, observer_ids: Sequence[str], on_or_before: date
) -> dict[str, list[CalibrationAttempt]]:
    """`calibration_history` of several observers up to the latest date a batch needs
    (the status on an earlier date ignores the attempts after it)."""
    rows = await conn.fetch(
        """
        SELECT a.*, r.instrument_key FROM calibration_attempts a
        JOIN calibration_references r ON r.agency_id = a.agency_id AND r.id = a.reference_id
        WHERE a.agency_id = $1 AND a.observer_id = ANY($2::text[]) AND a.attempted_on <= $3
        """,
        agency_id,
        list(observer_ids),
        on_or_before,
    )
    found: dict[str, list[CalibrationAttempt]] = {o: [] for o in observer_ids}
    for row in rows:
        found[row["observer_id"]].append(attempt_from_row(row))
    return found


async def lock_drift_streams(conn: Connection, agency_id: str, keys: Sequence[str]) -> None:
    """The advisory locks `record_new_drift` takes, for many practitioner|instrument keys,
    in a fixed order (two batches never wait on each other in a cycle)."""
    await conn.execute(
        """SELECT pg_advisory_xact_lock(hashtextextended(k, 0))
           FROM (SELECT 'fidelity-drift|' || $1 || '|' || k AS k
                 FROM unnest($2::text[]) AS k ORDER BY 1) AS locks""",
        agency_id,
        sorted(set(keys)),
    )


async def stored_drift_ids(conn: Connection, agency_id: str, drift_ids: Sequence[str]) -> set[str]:
    rows = await conn.fetch(
        "SELECT id FROM drift_signals WHERE agency_id = $1 AND id = ANY($2::uuid[])",
        agency_id,
        [uuid.UUID(d) for d in drift_ids],
    )
    return {str(r["id"]) for r in rows}


async def insert_drift_signals(
    conn: Connection, agency_id: str, events: Sequence[FidelityDriftDetected]
) -> None:
    """`insert_drift_signal` for signals known to be new, in their order."""
    if not events:
        return
    await conn.execute(
        """
        INSERT INTO drift_signals (agency_id, id, practitioner_id, instrument_key, kind,
            domain_id, observation_id, detected_on, observation_ids, from_band, to_band,
            drop, reason)
        SELECT $1, s.id, s.practitioner_id, s.instrument_key, s.kind, s.domain_id,
            s.observation_id, s.detected_on, s.observation_ids::jsonb, s.from_band, s.to_band,
            s.drop, s.reason
        FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::uuid[],
            $8::date[], $9::text[], $10::text[], $11::text[], $12::float8[], $13::text[])
            WITH ORDINALITY
            AS s(id, practitioner_id, instrument_key, kind, domain_id, observation_id,
                 detected_on, observation_ids, from_band, to_band, drop, reason, n)
        ORDER BY s.n
        """,
        agency_id,
        [uuid.UUID(e.drift_id) for e in events],
        [e.practitioner_id for e in events],
        [e.instrument_key for e in events],
        [e.kind for e in events],
        [e.domain_id for e in events],
        [uuid.UUID(e.observation_id) for e in events],
        [e.detected_on for e in events],
        [json.dumps(e.observation_ids) for e in events],
        [e.from_band for e in events],
        [e.to_band for e in events],
        [e.drop for e in events],
        [e.reason for e in events],
    )
