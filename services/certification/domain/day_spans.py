"""A span of whole days, made once per length.

The fold adds a rule's number of days to a date on every checkpoint (a window's start,
an observation ageing out, tenure reached); building ``timedelta(days=n)`` each time
cost more than the date arithmetic itself. A policy names only a few lengths.
"""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache


@lru_cache(maxsize=1024)
def day_span(days: int) -> timedelta:
    """``timedelta(days=days)``, shared."""
    return timedelta(days=days)
