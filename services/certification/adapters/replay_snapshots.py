"""Each practitioner's last replay snapshot, kept per process to resume the next evaluation.

Re-evaluating a practitioner after new evidence replays their whole history; when the
new evidence is dated on or after the day of the latest evidence folded last time (the
usual case), the replay resumes from the snapshot it kept then (domain/replay_snapshot.py).
A snapshot is served only to an evaluation whose evidence, read fresh in its own
transaction, holds exactly the items the snapshot rests on (`ReplaySnapshot.fits`
compares them item by item), under the same policy: so it never goes stale, whatever
another replica or process wrote meanwhile, and a snapshot of a rolled-back
transaction's evaluation simply no longer fits.

Bounded: the least recently used practitioners are dropped past `MAX_ITEMS` items of
evidence referenced (the items are mostly those `evidence_cache` holds parsed anyway).
"""

from __future__ import annotations

from collections import OrderedDict

from services.certification.domain.replay_snapshot import ReplaySnapshot

MAX_ITEMS = 10_000


class KeptReplays:
    """Per (agency, practitioner): the snapshot of the last evaluation's replay."""

    def __init__(self, max_items: int = MAX_ITEMS) -> None:
        self._max_items = max_items
        self._kept: OrderedDict[tuple[str, str], ReplaySnapshot] = OrderedDict()
        self._count = 0

    def get(self, agency_id: str, practitioner_id: str) -> ReplaySnapshot | None:
        return self._kept.get((agency_id, practitioner_id))

    def keep(self, agency_id: str, practitioner_id: str, snapshot: ReplaySnapshot | None) -> None:
        """Keep ``snapshot`` (None: forget the practitioner's), newest in use."""
        key = (agency_id, practitioner_id)
        old = self._kept.pop(key, None)
        if old is not None:
            self._count -= len(old.evidence)
        if snapshot is None or len(snapshot.evidence) > self._max_items:
            return
        self._kept[key] = snapshot
        self._count += len(snapshot.evidence)
        while self._count > self._max_items:
            _, dropped = self._kept.popitem(last=False)
            self._count -= len(dropped.evidence)

    def clear(self) -> None:
        self._kept.clear()
        self._count = 0

    def __len__(self) -> int:
        """Practitioners kept."""
        return len(self._kept)


# one per process: each snapshot is checked against the evidence its evaluation read
KEPT_REPLAYS = KeptReplays()
