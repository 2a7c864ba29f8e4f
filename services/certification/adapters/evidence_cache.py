"""Parsed evidence kept between evaluations, served only where a fresh read confirms it.

Re-evaluating a practitioner needs all of their evidence, which grows with every item:
reading and parsing every stored item again at each new one costs more the longer the
history. An `evidence` row never changes once written (its item comes from the logged
`evidence_received` event at its `position`, a bigserial no other row shares), so its
parsed item can be kept by (`position`, `event_id`). Every evaluation still reads the
practitioner's rows in its own transaction, just without the item text of those held
here, and counts how many of those are still stored (`evaluation_reads`): held items
are served only when every one is (the practitioner's rows are the held ones plus those
read), and when one is gone (a retraction, a voiding, a rolled-back write) all of the
practitioner's rows are read and parsed again. So several replicas and processes each
keep their own cache and none serves a stale item.

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
        self._count = 0

    def keys(self, agency_id: str, practitioner_ids: Iterable[str]) -> list[tuple[int, str, str]]:
        """The (position, event id, practitioner) of each row held for these practitioners
        (whose item text need not be read again)."""
        held: list[tuple[int, str, str]] = []
        for practitioner_id in dict.fromkeys(practitioner_ids):
            rows = self._held.get((agency_id, practitioner_id))
            if rows:
                held.extend(
                    (position, event_id, practitioner_id)
                    for position, (event_id, _) in rows.items()
                )
        return held

    def held(self, agency_id: str, practitioner_id: str) -> HeldRows:
        return self._held.get((agency_id, practitioner_id)) or {}

    def keep(self, agency_id: str, practitioner_id: str, rows: HeldRows) -> None:
        """Hold exactly ``rows`` for the practitioner (as just read), newest in use."""
        key = (agency_id, practitioner_id)
        old = self._held.pop(key, None)
        if old is not None:
            self._count -= len(old)
        if len(rows) > self._max_items:
            return
        self._held[key] = rows
        self._count += len(rows)
        while self._count > self._max_items:
            _, dropped = self._held.popitem(last=False)
            self._count -= len(dropped)

    def clear(self) -> None:
        self._held.clear()
        self._count = 0

    def __len__(self) -> int:
        """Items held."""
        return self._count


# one per process: each process validates against its own transaction's read
PARSED_EVIDENCE = ParsedEvidence()
