"""A practitioner's page: where each requirement's evidence is, and the charts' series.

Pure: chart series are plain lists a template hands to the charting script as JSON.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from datetime import date
from typing import Any

# status → height on the timeline chart (higher is better standing)
STATUS_LEVELS = {
    "revoked": 0,
    "lapsed": 1,
    "not_started": 2,
    "in_progress": 3,
    "at_risk": 4,
    "certified": 5,
}
STATUS_LABELS = ["revoked", "lapsed", "not started", "in progress", "at risk", "certified"]

# which section of the page holds the records a requirement (or rule) rests on
EVIDENCE_SECTIONS = (
    ("module", "learning", "Learning progress"),
    ("concept", "learning", "Learning progress"),
    ("coaching", "coaching", "Coaching sessions"),
    ("session", "coaching", "Coaching sessions"),
    ("rating", "ratings", "Skill ratings"),
    ("skill", "ratings", "Skill ratings"),
    ("observation", "fidelity", "Observations"),
    ("fidelity", "fidelity", "Observations"),
    ("level", "levels", "Levels"),
)


def evidence_section(requirement: str) -> tuple[str, str] | None:
    """(anchor, heading) of the section listing the evidence of `requirement`, if any."""
    for word, anchor, heading in EVIDENCE_SECTIONS:
        if word in requirement:
            return anchor, heading
    return None


RECORD_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def reason_parts(reason: str, records: Collection[str]) -> list[tuple[str, str | None]]:
    """The reason cut into (text, record id or None): ids of records the page lists link."""
    parts: list[tuple[str, str | None]] = []
    at = 0
    for found in RECORD_ID.finditer(reason):
        if found.group() not in records:
            continue
        parts.append((reason[at : found.start()], None))
        parts.append((found.group(), found.group()))
        at = found.end()
    parts.append((reason[at:], None))
    return [(text, record) for text, record in parts if text]


def page_records(*lists: Iterable[Mapping[str, Any]] | None) -> set[str]:
    """Ids of the records (observations, sessions, ratings) a page lists."""
    return {str(item.get("id") or item.get("rating_id")) for items in lists for item in items or []}


def timeline_series(
    transitions: Iterable[Mapping[str, Any]], current: Iterable[Mapping[str, Any]], as_of: date
) -> list[dict[str, Any]]:
    """One stepped series per level: its status at each transition up to `as_of`, then now."""
    series: dict[str, list[dict[str, Any]]] = {}
    for t in sorted(transitions, key=lambda t: t["effective_on"]):
        if t.get("retracted_by") or date.fromisoformat(t["effective_on"]) > as_of:
            continue
        series.setdefault(t["level"], []).append(
            {"x": t["effective_on"], "y": STATUS_LEVELS.get(t["to_status"], 2)}
        )
    for level in current:
        points = series.setdefault(level["level"], [])
        points.append({"x": as_of.isoformat(), "y": STATUS_LEVELS.get(level["status"], 2)})
    return [{"label": level, "data": points} for level, points in series.items()]


def fidelity_series(trend: Mapping[str, Any] | None) -> dict[str, Any]:
    """Labels (meeting dates) and one series per domain (rolling mean), plus the total."""
    points = (trend or {}).get("points") or []
    labels = [p["meeting_date"] for p in points]
    domains: dict[str, list[float | None]] = {}
    for index, point in enumerate(points):
        for domain in point["domains"]:
            domains.setdefault(domain["domain_id"], [None] * len(points))[index] = domain["rolling"]
    datasets = [{"label": "Total (rolling)", "data": [p["rolling_total"] for p in points]}]
    datasets += [{"label": d, "data": values} for d, values in domains.items()]
    return {"labels": labels, "datasets": datasets}
