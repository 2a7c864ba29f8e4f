"""What re-evaluating practitioners of an agency reads, in one round trip.

The policy the agency adopted (`policy_rows`), its open import window, if any
(`window_rows`), and the practitioners' evidence (`evidence_rows`): all change while
the service runs (an adoption, a window opened or closed, new evidence), so all are
read fresh at every evaluation, just together: the agency's row, then one row per
evidence item. Of the items this process holds parsed (`evidence_cache`), by position
and event id, only how many are still stored is read: when all of them are, they are
served with the rows read besides; when not, the practitioner's rows are read again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from services.certification.adapters.evidence_cache import PARSED_EVIDENCE
from services.certification.adapters.evidence_rows import calibrated_sets, items_of_rows
from services.certification.adapters.policy_rows import ADOPTED, adopted_from
from services.certification.domain.calibrations import Calibration
from services.certification.domain.evidence import EvidenceSet
from services.certification.domain.policy import Policy
from shared.database import Connection

_HELD = """
    unnest({held}::bigint[], {held_ids}::text[], {held_owners}::text[])
        AS held (position, event_id, practitioner_id)
        ON held.position = e.position AND held.event_id = e.event_id
        AND held.practitioner_id = e.practitioner_id
"""
_INPUTS = """
    SELECT 'agency' AS part, NULL::text AS practitioner_id, NULL::text AS item,
           NULL::text AS event_id, NULL::bigint AS position,
           (SELECT window_id FROM import_windows
            WHERE agency_id = $1 AND closed_at IS NULL LIMIT 1) AS open_window_id,
           adopted.policy_id, adopted.policy_version, adopted.text
    FROM (SELECT) AS one LEFT JOIN LATERAL ({adopted}) AS adopted ON true
    UNION ALL
    SELECT 'evidence', e.practitioner_id, e.item::text, e.event_id, e.position,
           NULL, NULL, NULL, NULL
    FROM evidence AS e LEFT JOIN {held_rows}
    WHERE $3 AND e.agency_id = $1 AND e.practitioner_id = ANY($4::text[])
        AND held.position IS NULL
    UNION ALL
    SELECT 'held', e.practitioner_id, NULL, NULL, count(*), NULL, NULL, NULL, NULL
    FROM evidence AS e JOIN {held_rows}
    WHERE $3 AND e.agency_id = $1 AND e.practitioner_id = ANY($4::text[])
    GROUP BY e.practitioner_id
"""


@dataclass(frozen=True)
class EvaluationInputs:
    agency_id: str
    adoption: Any  # the agency's row: the latest adoption's policy id, version and text
    open_window_id: str | None
    evidence: dict[str, EvidenceSet]  # empty unless asked for

    def adopted_policy(self) -> Policy:
        """The policy the agency's practitioners are evaluated under now."""
        return adopted_from(self.agency_id, self.adoption)


async def evaluation_inputs(
    conn: Connection,
    agency_id: str,
    practitioner_ids: Sequence[str],
    *,
    with_evidence: bool,
    along: str = "",
    along_args: Sequence[Any] = (),
) -> EvaluationInputs:
    """The agency's adoption and open window; with the practitioners' evidence sets
    (each observation's calibration decided, `evidence_rows.evidence_sets`) if asked.

    `along`: data-modifying CTEs (parameters `along_args`, numbered from $5) written in
    the same round trip; the read sees the rows as they were before them (one snapshot).
    """
    # the positions and event ids of the items held parsed come last, after `along_args`
    last = 5 + len(along_args)
    held_rows = _HELD.format(held=f"${last}", held_ids=f"${last + 1}", held_owners=f"${last + 2}")
    inputs = _INPUTS.format(adopted=ADOPTED, held_rows=held_rows)
    query = f"WITH {along} {inputs}" if along else inputs
    held = PARSED_EVIDENCE.keys(agency_id, practitioner_ids) if with_evidence else []
    rows = await conn.fetch(
        query,
        agency_id,
        None,
        with_evidence,
        list(practitioner_ids),
        *along_args,
        [position for position, _, _ in held],
        [event_id for _, event_id, _ in held],
        [practitioner_id for _, _, practitioner_id in held],
    )
    [agency] = [row for row in rows if row["part"] == "agency"]
    evidence = [row for row in rows if row["part"] == "evidence"]
    confirmed = {row["practitioner_id"]: row["position"] for row in rows if row["part"] == "held"}
    return EvaluationInputs(
        agency_id=agency_id,
        adoption=agency,
        open_window_id=agency["open_window_id"],
        evidence=(
            await _evidence_sets(conn, agency_id, practitioner_ids, evidence, confirmed)
            if with_evidence
            else {}
        ),
    )


_ALL_ROWS = """
    SELECT practitioner_id, item::text AS item, event_id, position FROM evidence
    WHERE agency_id = $1 AND practitioner_id = ANY($2::text[])
"""


async def _evidence_sets(
    conn: Connection,
    agency_id: str,
    practitioner_ids: Sequence[str],
    rows: list[Any],
    confirmed: dict[str, int],
) -> dict[str, EvidenceSet]:
    """The evidence sets of the rows read; those of whom some held item was not found
    again (`items_of_rows`) are read again in full."""
    items, unmatched = items_of_rows(PARSED_EVIDENCE, agency_id, practitioner_ids, rows, confirmed)
    if unmatched:
        again = await conn.fetch(_ALL_ROWS, agency_id, sorted(unmatched))
        everything = dict.fromkeys(unmatched, 0)  # nothing held is counted on
        items.update(
            items_of_rows(PARSED_EVIDENCE, agency_id, sorted(unmatched), again, everything)[0]
        )
    return await calibrated_sets(conn, agency_id, items)


_FOLD_INPUTS = """
    SELECT practitioner_id, item::text AS item, NULL::text AS attempt_id,
           NULL::text AS observer_id, NULL::text AS instrument_key,
           NULL::date AS valid_from, NULL::date AS valid_until
    FROM evidence WHERE agency_id = $1 AND practitioner_id = ANY($2::text[])
    UNION ALL
    SELECT NULL, NULL, attempt_id, observer_id, instrument_key, valid_from, valid_until
    FROM observer_calibrations
    WHERE agency_id = $1 AND observer_id IN (
        SELECT item->>'observer_id' FROM evidence
        WHERE agency_id = $1 AND practitioner_id = ANY($2::text[]))
"""


async def fold_inputs(
    conn: Connection, agency_id: str, practitioner_ids: Sequence[str]
) -> tuple[dict[str, list[str]], tuple[Calibration, ...]]:
    """The practitioners' evidence items as stored JSON text (undecoded: a worker process
    decodes them) and the calibrations of their observers, in one statement."""
    evidence: dict[str, list[str]] = {practitioner_id: [] for practitioner_id in practitioner_ids}
    calibrations = []
    for row in await conn.fetch(_FOLD_INPUTS, agency_id, list(practitioner_ids)):
        if row["item"] is not None:
            evidence[row["practitioner_id"]].append(row["item"])
        else:
            calibrations.append(
                Calibration(
                    attempt_id=row["attempt_id"],
                    observer_id=row["observer_id"],
                    instrument_key=row["instrument_key"],
                    valid_from=row["valid_from"],
                    valid_until=row["valid_until"],
                )
            )
    return evidence, tuple(calibrations)
