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

Bounded: the least recently used practitioners are dropped past `MAX_ITEMS` items.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable

from services.certification.domain.evidence import Evidence

MAX_ITEMS = 10_000  # parsed items held per process, ~2 KB each (~20 MB of the 300 MB budget)

# position -> (event id, parsed item): one practitioner's rows as last read
HeldRows = dict[int, tuple[str, Evidence]]


class ParsedEvidence:
    """Per (agency, practitioner): the parsed items of the rows read last time."""

    def __init__(self, max_items: int = MAX_ITEMS) -> None:
        self._max_items = max_items
        self._held: OrderedDict[tuple[str, str], HeldRows] = OrderedDict()
        self._signatures: dict[tuple[str, str], str] = {}
        self._count = 0

    def last_positions(self, agency_id: str, practitioner_ids: Iterable[str]) -> list[int]:
        """Per practitioner, the last position held (0: nothing held)."""
        return [
            max(self._held.get((agency_id, practitioner_id)) or (0,))
            for practitioner_id in practitioner_ids
        ]

    def signature(self, agency_id: str, practitioner_id: str) -> str:
        """The held rows' keys as one text, `position:event_id` in position order joined
        by commas: what the stored rows up to the last held position must spell exactly
        (`evaluation_reads` builds the same text from them)."""
        key = (agency_id, practitioner_id)
        known = self._signatures.get(key)
        if known is None:
            rows = self._held.get(key) or {}
            known = ",".join(f"{position}:{rows[position][0]}" for position in sorted(rows))
            self._signatures[key] = known
        return known

    def held(self, agency_id: str, practitioner_id: str) -> HeldRows:
        return self._held.get((agency_id, practitioner_id)) or {}

    def keep(self, agency_id: str, practitioner_id: str, rows: HeldRows) -> None:
        """Hold exactly ``rows`` for the practitioner (as just read), newest in use."""
        key = (agency_id, practitioner_id)
        old = self._held.pop(key, None)
        self._signatures.pop(key, None)
        if old is not None:
            self._count -= len(old)
        if len(rows) > self._max_items:
            return
        self._held[key] = rows
        self._count += len(rows)
        while self._count > self._max_items:
            dropped_key, dropped = self._held.popitem(last=False)
            self._signatures.pop(dropped_key, None)
            self._count -= len(dropped)

    def clear(self) -> None:
        self._held.clear()
        self._signatures.clear()
        self._count = 0

    def __len__(self) -> int:
        """Items held."""
        return self._count


# one per process: each process validates against its own transaction's read
PARSED_EVIDENCE = ParsedEvidence()
