"""A rebuild's status rows encoded as binary COPY tuples hold the values a live save writes."""

from __future__ import annotations

import struct
from datetime import date, timedelta
from typing import Any

from services.certification.adapters.status_copy import (
    COPY_HEADER,
    COPY_TRAILER,
    EVALUATION_COLUMNS,
    LEVEL_COLUMNS,
    status_tuples,
)
from services.certification.adapters.status_rows import StatusRow
from services.certification.domain.evaluate import evaluate
from services.certification.domain.policy import Policy
from services.certification.domain.schedule import next_change_on
from services.certification.models.certification import state_json
from services.certification.models.state_body import state_body_bytes
from tests.certification.unit.certification_builders import PractitionerHistory

AGENCY = "agency-ü"  # not ASCII, as the body is not: both travel as UTF-8
TODAY = date(2026, 8, 29)  # the certified facilitator is at risk by then


def decoded(tuples: bytes, columns: tuple[str, ...], kinds: str) -> list[dict[str, Any]]:
    """The rows of COPY tuples, each field read back by its kind (t text, i integer, d date)."""
    rows, at = [], 0
    while at < len(tuples):
        (count,) = struct.unpack_from(">h", tuples, at)
        assert count == len(columns)
        at += 2
        row: dict[str, Any] = {}
        for column, kind in zip(columns, kinds, strict=True):
            (length,) = struct.unpack_from(">i", tuples, at)
            at += 4
            if length < 0:
                row[column] = None
                continue
            field = tuples[at : at + length]
            at += length
            if kind == "t":
                row[column] = field.decode()
            elif kind == "i":
                row[column] = struct.unpack(">i", field)[0]
            else:
                row[column] = date(2000, 1, 1) + timedelta(days=struct.unpack(">i", field)[0])
        rows.append(row)
    return rows


def test_the_tuples_hold_the_evaluation_and_level_rows_of_the_state(policy: Policy) -> None:
    evidence = PractitionerHistory.certified_facilitator().build()
    state = evaluate(policy, evidence, TODAY)
    changes_on = next_change_on(policy, evidence, state)
    row = StatusRow.of(state, changes_on, state_json(state))
    assert state.level("facilitator").at_risk_since is not None  # dates and NULLs both

    tuples = status_tuples(AGENCY, state, changes_on, state_body_bytes(state))

    [evaluation] = decoded(tuples.evaluation, EVALUATION_COLUMNS, "tttiddtdt")
    assert evaluation == {
        "agency_id": AGENCY,
        "practitioner_id": row.practitioner_id,
        "policy_id": row.policy_id,
        "policy_version": row.policy_version,
        "as_of": row.as_of,
        "next_change_on": row.next_change_on,
        "state_json": row.body,
        "state_as_of": row.as_of,
        "roster_item_tail": row.roster_item_tail,
    }
    assert decoded(tuples.levels, LEVEL_COLUMNS, "tttitddd") == [
        dict(zip(LEVEL_COLUMNS, (AGENCY, row.practitioner_id, key, n, *rest), strict=True))
        for n, (key, *rest) in enumerate(row.levels)
    ]


def test_the_copy_stream_is_framed_as_postgresqls_binary_format() -> None:
    assert COPY_HEADER == b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"
    assert COPY_TRAILER == b"\xff\xff"
