"""The wording of reasons: how dates, percentages, observations and lists read.

Kept in one place so every requirement and rule explains itself the same way, e.g.
"obs-1 on 2026-03-02 (86%)".
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import lru_cache

from services.certification.domain.evidence import ObservationRecorded

# A reason stays one readable sentence even over years of history.
LIST_LIMIT = 8


def percent(value: float) -> str:
    """86 → "86%", 79.5 → "79.5%": never rounded up across a threshold (formatted once
    per value: reasons repeat the same scores and thresholds; zero, whose sign shows,
    each time)."""
    return _percent(value) if value else _formatted(value)


@lru_cache(maxsize=4096)
def _percent(value: float) -> str:
    return _formatted(value)


def _formatted(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return f"{text}%"


@lru_cache(maxsize=4096)
def day(value: date) -> str:
    """``2026-03-02``: formatted once per date (reasons name the same dates again and again)."""
    return value.isoformat()


def observation(item: ObservationRecorded) -> str:
    return f"{item.observation_id} on {day(item.occurred_on)} ({percent(item.total_percent)})"


def listing(parts: Sequence[str], limit: int = LIST_LIMIT) -> str:
    if len(parts) <= limit:
        return ", ".join(parts)
    return ", ".join(parts[:limit]) + f" and {len(parts) - limit} more"


def count(n: int, singular: str, plural: str | None = None) -> str:
    return f"{n} {singular if n == 1 else (plural or singular + 's')}"
