"""What re-evaluating practitioners of an agency reads, in one round trip.

The policy the agency adopted (`policy_rows`), its open import window, if any
(`window_rows`), and the practitioners' evidence (`evidence_rows`): all change while
the service runs (an adoption, a window opened or closed, new evidence), so all are
read fresh at every evaluation, just together: the agency's row, then one row per
evidence item. Of a practitioner whose items this process holds parsed
(`evidence_cache`), only the rows after the last held position are read in full, and
two counts: how many held rows (by position, event id and practitioner) are still
stored, and how many rows are stored up to that position. When both equal what is held,
the held items and the rows read are the practitioner's evidence; when not, all of the
practitioner's rows are read again. Each part is driven by an index per practitioner or
per held row (`OFFSET 0` keeps the planner from turning them into a join over all).
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
    SELECT 'older', t.practitioner_id, NULL, NULL,
           (SELECT count(*) FROM evidence WHERE agency_id = $1
                AND practitioner_id = t.practitioner_id AND position <= t.upto),
           NULL, NULL, NULL, NULL
    FROM unnest($4::text[], {upto}::bigint[]) AS t (practitioner_id, upto)
    WHERE $3 AND t.upto > 0
    UNION ALL
    SELECT 'held', h.practitioner_id, NULL, NULL, count(*), NULL, NULL, NULL, NULL
    FROM unnest({held}::bigint[], {held_ids}::text[], {held_owners}::text[])
            AS h (position, event_id, practitioner_id),
        LATERAL (SELECT 1 FROM evidence WHERE agency_id = $1 AND event_id = h.event_id
                 AND position = h.position AND practitioner_id = h.practitioner_id
                 OFFSET 0) AS e
    WHERE $3
    GROUP BY h.practitioner_id
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
    # per practitioner the last position held, then each held row's key
    ids = list(dict.fromkeys(practitioner_ids))
    last = 5 + len(along_args)
    inputs = _INPUTS.format(
        adopted=ADOPTED,
        upto=f"${last}",
        held=f"${last + 1}",
        held_ids=f"${last + 2}",
        held_owners=f"${last + 3}",
    )
    query = f"WITH {along} {inputs}" if along else inputs
    held = PARSED_EVIDENCE.keys(agency_id, ids) if with_evidence else []
    upto = dict.fromkeys(ids, 0)
    for position, _, practitioner_id in held:
        upto[practitioner_id] = max(upto[practitioner_id], position)
    rows = await conn.fetch(
        query,
        agency_id,
        None,
        with_evidence,
        ids,
        *along_args,
        [upto[practitioner_id] for practitioner_id in ids],
        [position for position, _, _ in held],
        [event_id for _, event_id, _ in held],
        [practitioner_id for _, _, practitioner_id in held],
    )
    [agency] = [row for row in rows if row["part"] == "agency"]
    evidence = [row for row in rows if row["part"] == "evidence"]
    older = {row["practitioner_id"]: row["position"] for row in rows if row["part"] == "older"}
    # held items are served when the rows up to the last held position are exactly those
    # held: every held one found, and no other
    confirmed = {
        row["practitioner_id"]: row["position"]
        if row["position"] == older.get(row["practitioner_id"], 0)
        else -1
        for row in rows
        if row["part"] == "held"
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
            calibrations.append(calibration_of(row))
    return evidence, tuple(calibrations)
