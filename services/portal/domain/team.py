"""A team at a glance: learning heat map, coaching cadence, latest fidelity, open drift.

Pure: it shapes the services' answers (already fetched) into what the team page shows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

CONCEPT_STATUSES = ("strong", "shaky", "missing", "lapsed")
OPEN_DRIFT_DAYS = 90


@dataclass(frozen=True)
class HeatMap:
    people: list[str]
    concepts: list[str]
    cells: dict[tuple[str, str], str]  # (concept, person) → status

    def status(self, concept: str, person: str) -> str:
        return self.cells.get((concept, person), "missing")


def heat_map(visibility: Mapping[str, Mapping[str, Any] | None]) -> HeatMap:
    """Concept × person from each person's learning visibility (None: not enrolled)."""
    cells: dict[tuple[str, str], str] = {}
    concepts: set[str] = set()
    for person, report in visibility.items():
        for concept in (report or {}).get("concepts", []):
            concepts.add(concept["concept_id"])
            cells[(concept["concept_id"], person)] = concept["status"]
    return HeatMap(
        people=sorted(visibility), concepts=sorted(concepts, key=_concept_order), cells=cells
    )


def _concept_order(concept_id: str) -> tuple[Any, ...]:
    """M2.C10 after M2.C9: numbers compare as numbers."""
    parts = []
    for part in concept_id.replace(".", " ").split():
        digits = "".join(ch for ch in part if ch.isdigit())
        parts.append((part.rstrip("0123456789"), int(digits) if digits else 0))
    return tuple(parts)


def months_covered(held_on: Iterable[date], today: date) -> int:
    """Of the last 12 calendar months (this one included), how many had a session."""
    first = _month_index(today) - 11
    months = {_month_index(day) for day in held_on}
    return sum(1 for month in months if first <= month <= _month_index(today))


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def latest_fidelity(trend: Mapping[str, Any] | None) -> tuple[float, str, str] | None:
    """(total, band, meeting date) of the latest counted observation, if any."""
    points = (trend or {}).get("points") or []
    if not points:
        return None
    last = points[-1]
    return float(last["total"]), str(last["band"]), str(last["meeting_date"])


def open_drift(signals: Iterable[Mapping[str, Any]], today: date) -> list[Mapping[str, Any]]:
    """Drift signals detected within the last 90 days, latest first."""
    since = today - timedelta(days=OPEN_DRIFT_DAYS)
    recent = [s for s in signals if date.fromisoformat(s["detected_on"]) >= since]
    return sorted(recent, key=lambda s: s["detected_on"], reverse=True)
