"""The agency board ranks those needing attention first, filters, counts and exports."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from services.portal.domain.board import BoardFilter, apply, board_row, counts, rank, teams, to_csv

TODAY = date(2026, 6, 1)


def entry(pid: str, *statuses: str, next_change: str | None = None, **extra: Any) -> dict[str, Any]:
    levels = ["facilitator", "coach"]
    return {
        "practitioner_id": pid,
        "role": "facilitator",
        "program_start": "2025-06-01",
        "coach_id": extra.get("coach_id", "coach-ana"),
        "supervisor_id": extra.get("supervisor_id", "sup-sam"),
        "team_id": extra.get("team_id"),
        "levels": [
            {"level": level, "status": status, "since": None}
            for level, status in zip(levels, statuses, strict=False)
        ],
        "next_change_on": next_change,
    }


def rows(*entries: dict[str, Any], drift: dict[str, str] | None = None) -> list[Any]:
    return rank((board_row(e, drift or {}) for e in entries), TODAY)


def test_at_risk_then_lapsing_soon_then_drifting_come_first() -> None:
    ranked = rows(
        entry("p-fine", "certified", next_change="2027-01-01"),
        entry("p-drift", "in_progress"),
        entry("p-lapsing", "certified", next_change="2026-06-20"),
        entry("p-risk", "at_risk"),
        drift={"p-drift": "rolling total fell from high to borderline"},
    )
    assert [r.practitioner_id for r in ranked] == ["p-risk", "p-lapsing", "p-drift", "p-fine"]
    assert [r.attention for r in ranked] == [
        "at risk",
        "may lapse from 2026-06-20",
        "fidelity drifting",
        "",
    ]


def test_a_next_change_far_off_or_without_a_held_level_is_not_lapsing_soon() -> None:
    ranked = rows(
        entry("p-far", "certified", next_change="2026-12-01"),
        entry("p-new", "in_progress", next_change="2026-06-05"),
    )
    assert all(r.attention == "" for r in ranked)


def test_filters_by_team_status_and_level() -> None:
    ranked = rows(
        entry("p-1", "certified", "at_risk", supervisor_id="sup-a"),
        entry("p-2", "at_risk", supervisor_id="sup-b", team_id="north"),
        entry("p-3", "in_progress", supervisor_id="sup-b"),
    )
    assert [r.practitioner_id for r in apply(ranked, BoardFilter(team="sup-b"))] == ["p-2", "p-3"]
    assert [r.practitioner_id for r in apply(ranked, BoardFilter(team="north"))] == ["p-2"]
    at_risk = apply(ranked, BoardFilter(status="at_risk"))
    assert {r.practitioner_id for r in at_risk} == {"p-1", "p-2"}
    facilitators_at_risk = apply(ranked, BoardFilter(status="at_risk", level="facilitator"))
    assert [r.practitioner_id for r in facilitators_at_risk] == ["p-2"]
    assert teams(ranked) == ["north", "sup-a", "sup-b"]


def test_counts_each_status_once_per_practitioner() -> None:
    ranked = rows(
        entry("p-1", "certified", "certified"),
        entry("p-2", "at_risk", "not_started", next_change="2026-06-10"),
        entry("p-3", "lapsed"),
        drift={"p-3": "drop"},
    )
    tally = counts(ranked, TODAY)
    assert tally["total"] == 3
    assert (tally["certified"], tally["at_risk"], tally["lapsed"]) == (1, 1, 1)
    assert (tally["lapsing_soon"], tally["drifting"]) == (1, 1)


def test_the_csv_has_a_column_per_level_and_the_reason_for_attention() -> None:
    ranked = rows(entry("p-risk", "at_risk", "not_started"), entry("p-ok", "certified"))
    table = list(csv.DictReader(io.StringIO(to_csv(ranked))))
    assert table[0]["practitioner_id"] == "p-risk"
    assert (table[0]["facilitator"], table[0]["coach"], table[0]["attention"]) == (
        "at_risk",
        "not_started",
        "at risk",
    )
    assert table[1]["coach"] == ""
