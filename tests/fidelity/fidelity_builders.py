"""Builders of fidelity request bodies for the API tests.

Imported by its full name, ``tests.fidelity.fidelity_builders``. Dates are fixed in
the past so tests read as a story ("meeting on 2025-01-04") and never hit the
future-date rule by accident.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from services.fidelity.domain.seed_instruments import TEAM_MEETING_OBSERVATION

TEAM_MEETING = TEAM_MEETING_OBSERVATION.key
TEAM_MEETING_INDICATORS: tuple[str, ...] = TEAM_MEETING_OBSERVATION.indicator_ids()

TINY_KEY = "tiny-meeting-tool"
TINY_DOMAIN = "TINY.D"
# ten indicators in one item: each present indicator is worth exactly 10 points
TINY_INDICATORS: tuple[str, ...] = tuple(f"TINY.D.1.{chr(ord('a') + n)}" for n in range(10))


def tiny_instrument(
    key: str = TINY_KEY, version: int = 1, kind: str = "team_meeting", **changes: Any
) -> dict[str, Any]:
    """A one-domain, one-item, ten-indicator instrument whose totals are easy to script."""
    body: dict[str, Any] = {
        "key": key,
        "version": version,
        "title": "Tiny meeting tool",
        "kind": kind,
        "domains": [
            {
                "id": TINY_DOMAIN,
                "title": "Everything",
                "items": [
                    {
                        "id": "TINY.D.1",
                        "title": "The one item",
                        "principles": ["team_based"],
                        "indicators": [
                            {"id": i, "text": f"Behaviour {i}"} for i in TINY_INDICATORS
                        ],
                    }
                ],
            }
        ],
    }
    body.update(changes)
    return body


def ratings(
    indicators: Sequence[str], present: int | None = None, **overrides: str
) -> list[dict[str, str]]:
    """The first `present` indicators present, the rest absent (all present by default);
    `overrides` maps an indicator id with dots written as underscores to a rating."""
    count = len(indicators) if present is None else present
    by_id = {i.replace(".", "_"): i for i in indicators}
    values = {i: "present" if n < count else "absent" for n, i in enumerate(indicators)}
    values.update({by_id[k]: v for k, v in overrides.items()})
    return [{"indicator_id": i, "rating": r} for i, r in values.items()]


def pattern(indicators: Sequence[str], marks: str) -> list[dict[str, str]]:
    """Ratings from a string, one letter per indicator: P present, A absent, N n/a."""
    names = {"P": "present", "A": "absent", "N": "not_applicable"}
    return [{"indicator_id": i, "rating": names[m]} for i, m in zip(indicators, marks, strict=True)]


def observation(
    *,
    practitioner_id: str = "prac-1",
    observer_id: str = "obs-1",
    meeting_date: date = date(2025, 1, 6),
    instrument_key: str = TEAM_MEETING,
    instrument_version: int = 1,
    rated: list[dict[str, str]] | None = None,
    **changes: Any,
) -> dict[str, Any]:
    """An observation body; all indicators of the seed team-meeting tool present unless
    `rated` says otherwise."""
    body: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "instrument_key": instrument_key,
        "instrument_version": instrument_version,
        "practitioner_id": practitioner_id,
        "observer_id": observer_id,
        "meeting_date": meeting_date.isoformat(),
        "setting": "family home",
        "ratings": rated if rated is not None else ratings(TEAM_MEETING_INDICATORS),
    }
    body.update(changes)
    return body


def tiny_observation(present: int, **changes: Any) -> dict[str, Any]:
    """An observation on the tiny instrument scoring `present` × 10 %."""
    return observation(
        instrument_key=TINY_KEY, rated=ratings(TINY_INDICATORS, present=present), **changes
    )


def reference(
    *,
    instrument_key: str = TEAM_MEETING,
    instrument_version: int = 1,
    meeting_date: date = date(2023, 1, 5),
    gold: list[dict[str, str]] | None = None,
    **changes: Any,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "title": "Recorded reference meeting",
        "instrument_key": instrument_key,
        "instrument_version": instrument_version,
        "meeting_date": meeting_date.isoformat(),
        "gold_ratings": gold if gold is not None else gold_standard(TEAM_MEETING_INDICATORS),
    }
    body.update(changes)
    return body


def gold_standard(indicators: Sequence[str]) -> list[dict[str, str]]:
    """A realistic gold standard: mostly present, every fourth absent, every ninth n/a."""
    marks = "".join(
        "N" if n % 9 == 8 else "A" if n % 4 == 3 else "P" for n in range(len(indicators))
    )
    return pattern(indicators, marks)


def flipped(rated: list[dict[str, str]], count: int) -> list[dict[str, str]]:
    """The same ratings with the first `count` present/absent ones reversed."""
    swap = {"present": "absent", "absent": "present", "not_applicable": "not_applicable"}
    return [
        {**r, "rating": swap[r["rating"]]} if n < count else dict(r) for n, r in enumerate(rated)
    ]


def attempt(
    reference_id: str, attempted_on: date, rated: list[dict[str, str]], **changes: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "reference_id": reference_id,
        "attempted_on": attempted_on.isoformat(),
        "ratings": rated,
    }
    body.update(changes)
    return body


def by_indicator(rated: Sequence[Mapping[str, str]]) -> dict[str, str]:
    return {r["indicator_id"]: r["rating"] for r in rated}
