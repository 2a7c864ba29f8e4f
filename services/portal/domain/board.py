"""The agency board: every practitioner, those who need attention first, with counts.

Pure: it takes the roster rows (as certification lists them) and the practitioners with
open drift signals, and ranks, filters, counts and writes CSV without any I/O.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

STATUSES = ("at_risk", "lapsed", "revoked", "in_progress", "certified", "not_started")
STATUS_WORDS = {
    "not_started": "not started",
    "in_progress": "in progress",
    "certified": "certified",
    "at_risk": "at risk",
    "lapsed": "lapsed",
    "revoked": "revoked",
}
HELD = frozenset({"certified", "at_risk"})
LAPSING_WINDOW = timedelta(days=60)


@dataclass(frozen=True)
class LevelStatus:
    level: str
    status: str
    since: date | None


@dataclass(frozen=True)
class BoardRow:
    practitioner_id: str
    role: str
    program_start: date
    coach_id: str | None
    supervisor_id: str | None
    team_id: str | None
    levels: tuple[LevelStatus, ...]
    next_change_on: date | None
    drift_reason: str | None = None
    attention: str = field(default="")
    by_level: dict[str, str] = field(init=False, repr=False, compare=False)
    statuses: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # read once per row and cell while a board of hundreds is ranked and drawn
        object.__setattr__(self, "by_level", {ls.level: ls.status for ls in self.levels})
        object.__setattr__(self, "statuses", frozenset(self.by_level.values()))

    def status_of(self, level: str) -> str | None:
        return self.by_level.get(level)


@dataclass(frozen=True)
class BoardFilter:
    team: str | None = None
    status: str | None = None
    level: str | None = None


def board_row(entry: Mapping[str, Any], drift: Mapping[str, str]) -> BoardRow:
    """A roster entry of certification's `GET /practitioners`, with its open drift."""
    return BoardRow(
        practitioner_id=entry["practitioner_id"],
        role=entry["role"],
        program_start=date.fromisoformat(entry["program_start"]),
        coach_id=entry.get("coach_id"),
        supervisor_id=entry.get("supervisor_id"),
        team_id=entry.get("team_id"),
        levels=tuple(
            LevelStatus(
                level=level["level"],
                status=level["status"],
                since=date.fromisoformat(level["since"]) if level.get("since") else None,
            )
            for level in entry["levels"]
        ),
        next_change_on=(
            date.fromisoformat(entry["next_change_on"]) if entry.get("next_change_on") else None
        ),
        drift_reason=drift.get(entry["practitioner_id"]),
    )


def lapsing_soon(row: BoardRow, today: date) -> bool:
    """Holds a level and time alone changes a status within the window."""
    return (
        bool(row.statuses & HELD)
        and row.next_change_on is not None
        and row.next_change_on <= today + LAPSING_WINDOW
    )


def attention(row: BoardRow, today: date) -> tuple[int, str]:
    """How urgent the row is (0 first) and why, in words."""
    if "at_risk" in row.statuses:
        return 0, "at risk"
    if lapsing_soon(row, today):
        return 1, f"may lapse from {row.next_change_on}"
    if row.drift_reason:
        return 2, "fidelity drifting"
    if "lapsed" in row.statuses:
        return 3, "lapsed"
    return 4, ""


def rank(rows: Iterable[BoardRow], today: date) -> list[BoardRow]:
    """At risk, lapsing soon and drifting first; then by next change date and id."""
    ranked = []
    for row in rows:
        order, why = attention(row, today)
        ranked.append((order, row.next_change_on or date.max, row.practitioner_id, why, row))
    ranked.sort(key=lambda item: item[:3])
    return [_with_attention(row, why) for *_, why, row in ranked]


def _with_attention(row: BoardRow, why: str) -> BoardRow:
    return replace(row, attention=why) if why else row


def apply(rows: Iterable[BoardRow], where: BoardFilter) -> list[BoardRow]:
    kept = []
    for row in rows:
        if where.team and where.team not in (row.supervisor_id, row.team_id):
            continue
        if where.level and row.status_of(where.level) is None:
            continue
        if where.status:
            statuses = {row.status_of(where.level)} if where.level else row.statuses
            if where.status not in statuses:
                continue
        kept.append(row)
    return kept


def counts(rows: Iterable[BoardRow], today: date) -> dict[str, int]:
    """Practitioners per status (any level in it), lapsing soon, drifting, and the total."""
    tally: Counter[str] = Counter()
    total = 0
    for row in rows:
        total += 1
        tally.update(row.statuses)
        tally["lapsing_soon"] += lapsing_soon(row, today)
        tally["drifting"] += row.drift_reason is not None
    return {
        "total": total,
        "lapsing_soon": tally["lapsing_soon"],
        "drifting": tally["drifting"],
        **{status: tally[status] for status in STATUSES},
    }


def teams(rows: Iterable[BoardRow]) -> list[str]:
    """Every team on the board: supervisors' teams and named teams."""
    found = {t for row in rows for t in (row.supervisor_id, row.team_id) if t}
    return sorted(found)


def levels(rows: Iterable[BoardRow]) -> list[str]:
    seen: dict[str, None] = {}
    for row in rows:
        for level in row.levels:
            seen.setdefault(level.level)
    return list(seen)


def to_csv(rows: list[BoardRow]) -> str:
    keys = levels(rows)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "practitioner_id",
            "role",
            "supervisor_id",
            "team_id",
            "coach_id",
            *keys,
            "next_change_on",
            "attention",
            "drift",
        ]
    )
    for row in rows:
        writer.writerow(
            [
                row.practitioner_id,
                row.role,
                row.supervisor_id or "",
                row.team_id or "",
                row.coach_id or "",
                *(row.status_of(key) or "" for key in keys),
                row.next_change_on.isoformat() if row.next_change_on else "",
                row.attention,
                row.drift_reason or "",
            ]
        )
    return out.getvalue()
