"""A rebuild's new status rows in PostgreSQL's binary COPY format, encoded where they are folded.

A rebuild writes each practitioner's `evaluations` row and `level_statuses` rows with
COPY, the agency's rows having been dropped. Its folds run in worker processes, so the
rows are encoded there (`status_tuples`), straight from the state and the body's UTF-8
bytes: what comes back to the service process is two bytes objects per practitioner,
which it joins and sends as they are (`copy_status_tuples`). Rows sent back as objects
were pickled, unpickled on the service's event loop and encoded again by the driver, and
the body (~2 KB of JSON, not ASCII when a level's title has a dash) was decoded to a str
in the worker and encoded back to UTF-8 twice on the way.

The format is PostgreSQL's binary COPY (`COPY … FROM STDIN (FORMAT binary)`): a header,
then per row its number of fields (int16) and each field as its length (int32; -1 for
NULL) and its bytes, big-endian (text: UTF-8, the connection's encoding; integer:
int32; date: int32 days since 2000-01-01), then a trailer.
"""

from __future__ import annotations

import struct
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from services.certification.adapters.roster_items import roster_item_tail
from services.certification.adapters.status_rows import level_rows
from services.certification.domain.state import CertificationState

if TYPE_CHECKING:  # the worker processes encode without the driver
    from shared.database import Connection

EVALUATION_COLUMNS = (
    "agency_id",
    "practitioner_id",
    "policy_id",
    "policy_version",
    "as_of",
    "next_change_on",
    "state_json",
    "state_as_of",
    "roster_item_tail",
)
LEVEL_COLUMNS = (
    "agency_id",
    "practitioner_id",
    "level_key",
    "ordinal",
    "status",
    "since",
    "certified_on",
    "at_risk_since",
)

_LENGTH = struct.Struct(">i").pack
_INT4 = struct.Struct(">ii").pack  # its length (4), then the value
_NULL = _LENGTH(-1)
_EPOCH = date(2000, 1, 1).toordinal()  # PostgreSQL's day zero
_EVALUATION_FIELDS = struct.pack(">h", len(EVALUATION_COLUMNS))
_LEVEL_FIELDS = struct.pack(">h", len(LEVEL_COLUMNS))
COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)  # the signature, no flags, no extension
COPY_TRAILER = struct.pack(">h", -1)


@dataclass(frozen=True, slots=True)
class StatusTuples:
    """One practitioner's rows as COPY tuples: its `evaluations` row, its
    `level_statuses` rows (one per level of the policy, in the policy's order)."""

    evaluation: bytes
    levels: bytes


def status_tuples(
    agency_id: str, state: CertificationState, next_change_on: date | None, body: bytes
) -> StatusTuples:
    """The rows `status_rows.save_evaluations` writes for ``state`` (``body``: its stored
    body as UTF-8, `state_body.state_body_bytes`), as COPY tuples."""
    agency, practitioner = _text(agency_id), _text(state.practitioner_id)
    levels = level_rows(state)
    as_of = _day(state.as_of)
    evaluation = b"".join(
        (
            _EVALUATION_FIELDS,
            agency,
            practitioner,
            _text(state.policy_id),
            _INT4(4, state.policy_version),
            as_of,
            _day(next_change_on),
            _LENGTH(len(body)),
            body,
            as_of,
            _text(roster_item_tail(levels, state.as_of, next_change_on)),
        )
    )
    return StatusTuples(
        evaluation,
        b"".join(
            b"".join(
                (
                    _LEVEL_FIELDS,
                    agency,
                    practitioner,
                    _text(key),
                    _INT4(4, ordinal),
                    _text(status),
                    _day(since),
                    _day(certified_on),
                    _day(at_risk_since),
                )
            )
            for ordinal, (key, status, since, certified_on, at_risk_since) in enumerate(levels)
        ),
    )


def _text(value: str) -> bytes:
    encoded = value.encode()
    return _LENGTH(len(encoded)) + encoded


def _day(value: date | None) -> bytes:
    return _NULL if value is None else _INT4(4, value.toordinal() - _EPOCH)


async def copy_status_tuples(conn: Connection, rows: Sequence[StatusTuples]) -> None:
    """Write the rows of practitioners that have none (a rebuild, after dropping the
    agency's), with COPY: no conflict to look for, no row to replace or delete."""
    if not rows:
        return
    for table, columns, tuples in (
        ("evaluations", EVALUATION_COLUMNS, [row.evaluation for row in rows]),
        ("level_statuses", LEVEL_COLUMNS, [row.levels for row in rows]),
    ):
        data = b"".join((COPY_HEADER, *tuples, COPY_TRAILER))
        await conn.copy_to_table(table, columns=columns, source=_once(data), format="binary")


async def _once(data: bytes) -> AsyncIterator[bytes]:
    """``data`` as the driver's copy source (it takes bytes themselves for a file's path)."""
    yield data
