"""Parsed evidence kept between evaluations, served only where a fresh read confirms it.

Re-evaluating a practitioner needs all of their evidence, which grows with every item:
reading and parsing every stored item again at each new one costs more the longer the
history. An `evidence` row never changes once written (its item comes from the logged
`evidence_received` event at its `position`, a bigserial no other row shares), so its
parsed item can be kept by (`position`, `event_id`). Every evaluation still reads the
practitioner's rows in its own transaction, just without the item text of those held
here, and checks that the rows stored up to the last held position are exactly those
held (`evaluation_reads` compares their `signature`, one text, in a single pass over the
practitioner's rows): held items are served only when they are (the practitioner's rows
are the held ones plus those read), and when one is gone (a retraction, a voiding, a
rolled-back write) all of the practitioner's rows are read and parsed again. So several
replicas and processes each keep their own cache and none serves a stale item.

Bounded by the memory the parsed items take (`item_bytes`, estimated from each stored
text), `MAX_BYTES` in all; room is made by dropping practitioners idle for a while,
never those in use (`held_in_use`), so an import whose practitioners outgrow the bound
keeps being served for those held rather than for none.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from services.certification.adapters.held_in_use import IDLE_SECONDS, HeldInUse
from services.certification.domain.evidence import Evidence

# parsed items held per process (~11,600 observations; the same share of the 300 MB
# budget as the 10,000 items held before)
MAX_BYTES = 20 * 1024 * 1024

# position -> (event id, parsed item): one practitioner's rows as last read
HeldRows = dict[int, tuple[str, Evidence]]


def item_bytes(text: str) -> int:
    """About the memory one item parsed from ``text`` (its stored JSON) takes, with its
    place in `HeldRows`: a model's fixed cost and twice the text (measured 1.2-1.8 KB
    for texts of 140-400 characters)."""
    return 1000 + 2 * len(text)


class _Held:
    """One practitioner's rows, their last position and (once asked) their signature."""

    __slots__ = ("last", "rows", "signature")

    def __init__(self, rows: HeldRows, last: int, signature: str | None) -> None:
        self.rows = rows
        self.last = last
        self.signature = signature


def _spelled(rows: HeldRows, positions: Iterable[int]) -> str:
    return ",".join(f"{position}:{rows[position][0]}" for position in sorted(positions))


def _held_after(before: _Held | None, rows: HeldRows) -> _Held:
    """``rows`` to hold; when they are the rows ``before`` held and rows after its last
    position, its signature is carried on (not spelled again from the first row)."""
    last = max(rows)
    if before is None or before.signature is None or not before.rows.keys() <= rows.keys():
        return _Held(rows, last, None)
    added = [position for position in rows if position > before.last]
    if len(added) != len(rows) - len(before.rows):
        return _Held(rows, last, None)  # a row below the last held one: spelled again
    if not added:
        return _Held(rows, last, before.signature)
    return _Held(rows, last, ",".join(filter(None, (before.signature, _spelled(rows, added)))))


class ParsedEvidence:
    """Per (agency, practitioner): the parsed items of the rows read last time."""

    def __init__(
        self,
        max_bytes: int = MAX_BYTES,
        *,
        idle_seconds: float = IDLE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._held: HeldInUse[_Held] = HeldInUse(max_bytes, idle_seconds=idle_seconds, clock=clock)

    def last_positions(self, agency_id: str, practitioner_ids: Iterable[str]) -> list[int]:
        """Per practitioner, the last position held (0: nothing held)."""
        held = [
            self._held.get((agency_id, practitioner_id)) for practitioner_id in practitioner_ids
        ]
        return [0 if rows is None else rows.last for rows in held]

    def signature(self, agency_id: str, practitioner_id: str) -> str:
        """The held rows' keys as one text, `position:event_id` in position order joined
        by commas: what the stored rows up to the last held position must spell exactly
        (`evaluation_reads` builds the same text from them)."""
        held = self._held.get((agency_id, practitioner_id))
        if held is None:
            return ""
        if held.signature is None:
            held.signature = _spelled(held.rows, held.rows)
        return held.signature

    def held(self, agency_id: str, practitioner_id: str) -> HeldRows:
        held = self._held.get((agency_id, practitioner_id))
        return {} if held is None else held.rows

    def bytes_of(self, agency_id: str, practitioner_id: str) -> int:
        """The memory the practitioner's held items are counted for."""
        return self._held.weight_of((agency_id, practitioner_id))

    def keep(self, agency_id: str, practitioner_id: str, rows: HeldRows, weight: int) -> None:
        """Hold exactly ``rows`` for the practitioner (as just read, their items taking
        about ``weight`` bytes), in use now; unless no room can be made for them."""
        key = (agency_id, practitioner_id)
        self._held.put(key, _held_after(self._held.get(key), rows) if rows else None, weight)

    def clear(self) -> None:
        self._held.clear()

    @property
    def bytes(self) -> int:
        """The memory all the held items are counted for."""
        return self._held.weight

    def __len__(self) -> int:
        """Items held."""
        return sum(len(held.rows) for held in self._held.values())


# one per process: each process validates against its own transaction's read
PARSED_EVIDENCE = ParsedEvidence()
