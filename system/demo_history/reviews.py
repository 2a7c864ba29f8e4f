"""When a practitioner reviews a mastered module's concepts: on FSRS's schedule, a little late.

The learning service schedules reviews with FSRS and a concept whose review is more than
30 days overdue is *lapsed*, also in the past: a history with a gap implies a lapse on
the day the gap passed the grace. So each sitting here comes 5-24 days after the date
the previous one scheduled (late, as people are, but inside the grace), with the rating
the learner earns (mostly `easy` for well-known concepts, some `good`), computed with
learning's own scheduler so the service arrives at the same dates. The last sitting
leaves the next due date no more than 24 days behind the anchor: nothing reviewed is
lapsed today.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from services.learning.domain.review import ReviewOutcome, apply_review, start_card

_NAMESPACE = uuid.UUID("0c7f1d0a-7a57-4c55-9d0e-3f1b8f6e2a10")


def _pick(key: str, modulo: int) -> int:
    return uuid.uuid5(_NAMESPACE, key).int % modulo


def review_sittings(key: str, mastered_at: datetime, until: datetime) -> list[tuple[datetime, str]]:
    """(moment, rating) of each review sitting of a module mastered at `mastered_at`."""
    card = start_card("module", mastered_at)
    sittings: list[tuple[datetime, str]] = []
    while True:
        n = len(sittings)
        moment = card.due + timedelta(days=5 + _pick(f"{key}/{n}/late", 20))
        if moment >= until:
            return sittings
        outcome = ReviewOutcome.GOOD if _pick(f"{key}/{n}/rating", 4) == 0 else ReviewOutcome.EASY
        card = apply_review(card, outcome, moment)
        sittings.append((moment, outcome.value))
