"""The part of a counted history that decides a new observation's drift, in one statement.

A new observation's signals rest on the `drift_reach` counted observations either side
of its date (`detect_new_drift`), so only those are read: per practitioner, instrument
and new date, the last ones on or before it and the first ones after it, through
`observations_practitioner_idx` (agency, practitioner, instrument, meeting date, seq),
whose order is the history's. The one thing the whole history still decides is the
order of signals at one observation: the order in which its domains were first scored.
That is read per domain as the first counted observation scoring it, by the same index
(usually the history's very first). So a read costs the same whatever the history's
length.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import asyncpg

from services.fidelity.domain.drift import FirstSeen
from shared.database import Connection

_COUNTED = """
    o.agency_id = $1 AND o.practitioner_id = w.practitioner_id
      AND o.instrument_key = w.instrument_key
      AND o.observer_calibrated AND o.co_observation_of IS NULL
"""

_NEAR = f"""
    WITH wanted AS (
        SELECT DISTINCT practitioner_id, instrument_key, on_date
        FROM unnest($2::text[], $3::text[], $4::date[]) AS w(practitioner_id, instrument_key,
            on_date)
    ), near AS (
        SELECT DISTINCT ON (n.seq) n.*
        FROM wanted w CROSS JOIN LATERAL (
            (SELECT o.practitioner_id, o.instrument_key, o.id, o.meeting_date, o.seq, o.total,
                    o.domain_scores
             FROM observations o
             WHERE {_COUNTED} AND o.meeting_date <= w.on_date
               AND o.id IS DISTINCT FROM $6::uuid
             ORDER BY o.meeting_date DESC, o.seq DESC LIMIT $5)
            UNION ALL
            (SELECT o.practitioner_id, o.instrument_key, o.id, o.meeting_date, o.seq, o.total,
                    o.domain_scores
             FROM observations o
             WHERE {_COUNTED} AND o.meeting_date > w.on_date
             ORDER BY o.meeting_date, o.seq LIMIT $5)
        ) AS n
    ), domains AS (
        SELECT n.practitioner_id, n.instrument_key, d.value ->> 'domain_id' AS domain_id
        FROM near n CROSS JOIN LATERAL jsonb_array_elements(n.domain_scores) AS d
        UNION
        SELECT * FROM unnest($7::text[], $8::text[], $9::text[])
    ), first_seen AS (
        SELECT w.practitioner_id, w.instrument_key, w.domain_id, f.meeting_date, f.seq, f.place
        FROM domains w CROSS JOIN LATERAL (
            SELECT o.meeting_date, o.seq, d.place
            FROM observations o
            CROSS JOIN LATERAL jsonb_array_elements(o.domain_scores) WITH ORDINALITY
                AS d(value, place)
            WHERE {_COUNTED} AND d.value ->> 'domain_id' = w.domain_id
            ORDER BY o.meeting_date, o.seq LIMIT 1
        ) AS f
    )
    SELECT practitioner_id, instrument_key, id, meeting_date, seq, total, domain_scores,
           NULL AS domain_id, NULL::bigint AS place
    FROM near
    UNION ALL
    SELECT practitioner_id, instrument_key, NULL, meeting_date, seq, NULL, NULL, domain_id,
           place
    FROM first_seen
    ORDER BY 1, 2, 4, 5
"""


@dataclass(frozen=True, slots=True)
class NearHistory:
    """Counted observations of one practitioner and instrument near some dates, in the
    history's order, and where the history first scores each domain of them."""

    rows: list[asyncpg.Record] = field(default_factory=list)
    first_seen: dict[str, FirstSeen] = field(default_factory=dict)


async def near_histories(
    conn: Connection,
    agency_id: str,
    wanted: Sequence[tuple[str, str, date]],
    new_domains: Sequence[tuple[str, str, str]],
    reach: int,
    *,
    leaving_out: uuid.UUID | None = None,
) -> dict[tuple[str, str], NearHistory]:
    """Per (practitioner, instrument) of `wanted` (practitioner, instrument, new date): the
    `reach` counted observations on or before each date and after it (`leaving_out` the
    one just recorded), and where the history first scores their domains and
    `new_domains` (practitioner, instrument, domain)."""
    rows = await conn.fetch(
        _NEAR,
        agency_id,
        [practitioner_id for practitioner_id, _, _ in wanted],
        [key for _, key, _ in wanted],
        [on_date for _, _, on_date in wanted],
        reach,
        leaving_out,
        [practitioner_id for practitioner_id, _, _ in new_domains],
        [key for _, key, _ in new_domains],
        [domain_id for _, _, domain_id in new_domains],
    )
    found = {(p, k): NearHistory() for p, k, _ in wanted}
    for row in rows:
        near = found[(row["practitioner_id"], row["instrument_key"])]
        if row["id"] is None:
            near.first_seen[row["domain_id"]] = (row["meeting_date"], row["seq"], row["place"])
        else:
            near.rows.append(row)
    return found
