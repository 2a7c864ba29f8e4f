"""What re-evaluating practitioners of an agency reads, in one round trip.

The policy the agency adopted (`policy_rows`), its open import window, if any
(`window_rows`), and the practitioners' evidence (`evidence_rows`): all change while
the service runs (an adoption, a window opened or closed, new evidence), so all are
read fresh at every evaluation, just together: the agency's row, then one row per
evidence item. Of a practitioner whose items this process holds parsed
(`evidence_cache`), only the rows after the last held position are read in full, and
one check: the rows stored up to that position spell the held rows' `signature`
(`position:event_id` in position order), built in a single pass over the practitioner's
rows. When they do, the held items and the rows read are the practitioner's evidence;
when not, all of the practitioner's rows are read again. Every part is driven by the
practitioner index, one practitioner at a time (a LATERAL or correlated subquery, `OFFSET
0` keeping the planner from turning it into a join over all): the plans stay the same
when the statistics are stale, e.g. after a bulk load of an agency the statistics have
not seen, which they take for a few rows (a scan of the whole agency per practitioner).
A check per held row (a lookup each) made the planner scan the practitioner's rows once
per held row, a cost growing with the square of the history.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from services.certification.adapters.calibration_rows import calibration_of
from services.certification.adapters.evidence_cache import PARSED_EVIDENCE
from services.certification.adapters.evidence_rows import calibrated_sets, items_of_rows
from services.certification.adapters.policy_rows import ADOPTED, adopted_from
from services.certification.domain.calibrations import Calibration
from services.certification.domain.evidence import EvidenceSet
from services.certification.domain.policy import Policy
from shared.database import Connection

_INPUTS = """
    SELECT 'agency' AS part, NULL::text AS practitioner_id, NULL::text AS item,
           NULL::text AS event_id, NULL::bigint AS position,
           (SELECT window_id FROM import_windows
            WHERE agency_id = $1 AND closed_at IS NULL LIMIT 1) AS open_window_id,
           adopted.policy_id, adopted.policy_version, adopted.text
    FROM (SELECT) AS one LEFT JOIN LATERAL ({adopted}) AS adopted ON true
    UNION ALL
    SELECT 'evidence', t.practitioner_id, e.item, e.event_id, e.position,
           NULL, NULL, NULL, NULL
    FROM unnest($4::text[], {upto}::bigint[]) AS t (practitioner_id, upto),
        LATERAL (SELECT item::text AS item, event_id, position FROM evidence
                 WHERE $3 AND agency_id = $1 AND practitioner_id = t.practitioner_id
                     AND position > t.upto OFFSET 0) AS e
    UNION ALL
    SELECT 'held', t.practitioner_id, NULL, NULL,
           CASE WHEN (SELECT string_agg(position::text || ':' || event_id, ',' ORDER BY position)
                      FROM evidence WHERE agency_id = $1
                          AND practitioner_id = t.practitioner_id AND position <= t.upto)
                     = t.signature THEN 1 ELSE 0 END,
           NULL, NULL, NULL, NULL
    FROM unnest($4::text[], {upto}::bigint[], {signatures}::text[])
        AS t (practitioner_id, upto, signature)
    WHERE $3 AND t.upto > 0
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
    # what this process holds parsed (`evidence_cache`) comes last, after `along_args`:
    # per practitioner the last position held and the held rows' signature
    ids = list(dict.fromkeys(practitioner_ids))
    last = 5 + len(along_args)
    inputs = _INPUTS.format(adopted=ADOPTED, upto=f"${last}", signatures=f"${last + 1}")
    query = f"WITH {along} {inputs}" if along else inputs
    upto = PARSED_EVIDENCE.last_positions(agency_id, ids) if with_evidence else [0] * len(ids)
    # the rows held as checked (another evaluation in this process may hold others meanwhile)
    checked = {
        practitioner_id: PARSED_EVIDENCE.held(agency_id, practitioner_id)
        for practitioner_id, last_held in zip(ids, upto, strict=True)
        if last_held
    }
    rows = await conn.fetch(
        query,
        agency_id,
        None,
        with_evidence,
        ids,
        *along_args,
        upto,
        [
            PARSED_EVIDENCE.signature(agency_id, practitioner_id) if last_held else ""
            for practitioner_id, last_held in zip(ids, upto, strict=True)
        ],
    )
    [agency] = [row for row in rows if row["part"] == "agency"]
    evidence = [row for row in rows if row["part"] == "evidence"]
    # held items are served when the rows up to the last held position are exactly those
    # held, and still held (-1: read the practitioner again in full)
    spelled = {row["practitioner_id"] for row in rows if row["part"] == "held" and row["position"]}
    confirmed = {
        practitioner_id: len(held)
        if practitioner_id in spelled and PARSED_EVIDENCE.held(agency_id, practitioner_id) is held
        else -1
        for practitioner_id, held in checked.items()
    }
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


# per practitioner through its index (`= ANY` of many is planned as a scan of the whole
# agency when the statistics take the agency for a few rows)
_ALL_ROWS = """
    SELECT t.practitioner_id, e.item, e.event_id, e.position
    FROM unnest($2::text[]) AS t (practitioner_id),
        LATERAL (SELECT item::text AS item, event_id, position FROM evidence
                 WHERE agency_id = $1 AND practitioner_id = t.practitioner_id OFFSET 0) AS e
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
            calibrations.append(calibration_of(row))
    return evidence, tuple(calibrations)
