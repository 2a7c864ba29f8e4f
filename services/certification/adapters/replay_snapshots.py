"""Each practitioner's last replay snapshot, kept per process to resume the next evaluation.

Re-evaluating a practitioner after new evidence replays their whole history; when the
new evidence is dated on or after the day of the latest evidence folded last time (the
usual case), the replay resumes from the snapshot it kept then (domain/replay_snapshot.py).
A snapshot is served only to an evaluation whose evidence, read fresh in its own
transaction, holds exactly the items the snapshot rests on (`ReplaySnapshot.fits`
compares them item by item), under the same policy: so it never goes stale, whatever
another replica or process wrote meanwhile, and a snapshot of a rolled-back
transaction's evaluation simply no longer fits.

Bounded: at most `MAX_ITEMS` items of evidence referenced (the items are mostly those
`evidence_cache` holds parsed anyway); room is made by dropping the snapshots of
practitioners idle for a while, never those in use (`held_in_use`).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from services.certification.adapters.held_in_use import IDLE_SECONDS, HeldInUse
from services.certification.domain.replay_snapshot import ReplaySnapshot

MAX_ITEMS = 10_000


class KeptReplays:
    """Per (agency, practitioner): the snapshot of the last evaluation's replay."""

    def __init__(
        self,
        max_items: int = MAX_ITEMS,
        *,
        idle_seconds: float = IDLE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._kept: HeldInUse[ReplaySnapshot] = HeldInUse(
            max_items, idle_seconds=idle_seconds, clock=clock
        )

    def get(self, agency_id: str, practitioner_id: str) -> ReplaySnapshot | None:
        return self._kept.get((agency_id, practitioner_id))

    def keep(self, agency_id: str, practitioner_id: str, snapshot: ReplaySnapshot | None) -> None:
        """Keep ``snapshot`` (None: forget the practitioner's), in use now; unless no room
        can be made for it."""
        weight = 0 if snapshot is None else len(snapshot.evidence)
        self._kept.put((agency_id, practitioner_id), snapshot, weight)

    def clear(self) -> None:
        self._kept.clear()

    def __len__(self) -> int:
        """Practitioners kept."""
        return len(self._kept)


# one per process: each snapshot is checked against the evidence its evaluation read
KEPT_REPLAYS = KeptReplays()
