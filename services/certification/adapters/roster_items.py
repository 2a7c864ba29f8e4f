"""The stored tail of a roster item: what the board's list answers after the roster fields.

A roster item (`PractitionerPublic`) is the practitioner's roster fields, then its level
statuses and the day of its evaluation. PostgreSQL keeps the first part as
`practitioners.roster_item_head` (JSON text without its closing brace, computed on
every write of the row); this module makes the second, `evaluations.roster_item_tail`,
written with the evaluation in the same statement, so a page of the roster is two
stored texts joined per item (adapters/listing.py) instead of JSON built per item.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from json.encoder import encode_basestring

# level key, status, since, certified on, at risk since (status_rows.LevelRow)
Level = tuple[str, str, date | None, date | None, date | None]

# the tail of a practitioner without an evaluation: no levels yet
UNEVALUATED_TAIL = ',"levels":[],"evaluated_as_of":null,"next_change_on":null}'


def roster_item_tail(levels: Sequence[Level], as_of: date, next_change_on: date | None) -> str:
    """The JSON text that closes a roster item: `,"levels":[…],"evaluated_as_of":…,
    "next_change_on":…}`, the levels in the evaluation's order (compact JSON, written
    by hand: every evaluation of a rebuild makes one)."""
    items = ",".join(
        f'{{"level":{encode_basestring(key)},"status":{encode_basestring(status)},'
        f'"since":{_day(since)},"certified_on":{_day(certified_on)},'
        f'"at_risk_since":{_day(at_risk_since)}}}'
        for key, status, since, certified_on, at_risk_since in levels
    )
    return (
        f',"levels":[{items}],"evaluated_as_of":{_day(as_of)},'
        f'"next_change_on":{_day(next_change_on)}}}'
    )


def _day(day: date | None) -> str:
    return "null" if day is None else f'"{day.isoformat()}"'
