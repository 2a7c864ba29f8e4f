"""Folded learner states kept between writes, so a write folds only the events it adds."""

from __future__ import annotations

import uuid
from collections import OrderedDict
from dataclasses import dataclass

from services.learning.domain.learner import LearnerState


@dataclass(frozen=True)
class FoldedLearner:
    """A learner state and the stream tip (version, event id) it was folded up to."""

    version: int
    tip_event_id: uuid.UUID
    state: LearnerState | None


class FoldedLearners:
    """A bounded cache of folded learner states, so a write folds only new events.

    An entry is trusted only while the event it was folded up to still sits at that
    version in what this transaction can see: a state folded from a write that later
    rolled back, or that another transaction cannot see yet, fails that check and the
    stream is folded again from the start.
    """

    def __init__(self, size: int = 10_000) -> None:
        self.size = size
        self._entries: OrderedDict[str, FoldedLearner] = OrderedDict()

    def get(self, stream_id: str) -> FoldedLearner | None:
        entry = self._entries.get(stream_id)
        if entry is not None:
            self._entries.move_to_end(stream_id)
        return entry

    def put(self, stream_id: str, entry: FoldedLearner) -> None:
        self._entries[stream_id] = entry
        self._entries.move_to_end(stream_id)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)
