"""Replay snapshots kept per practitioner: bounded by the evidence they rest on, room
made by dropping those gone idle."""

from __future__ import annotations

from datetime import date

from services.certification.adapters.replay_snapshots import KeptReplays
from services.certification.domain.evaluate import replay
from services.certification.domain.replay_snapshot import ReplaySnapshot
from services.certification.domain.seed_policies import DEFAULT_POLICY
from tests.certification.unit.certification_builders import PractitionerHistory

AGENCY = "agency-1"


def snapshot_of(practitioner_id: str) -> ReplaySnapshot:
    evidence = PractitionerHistory.certified_facilitator(practitioner_id).build()
    kept = replay(DEFAULT_POLICY, evidence, date(2026, 6, 1), keep=True).kept
    assert kept is not None
    return kept


def test_the_least_recently_used_snapshots_gone_idle_make_room_past_the_bound() -> None:
    first, second, third = (snapshot_of(f"prac-{n}") for n in range(3))
    now = [0.0]
    kept = KeptReplays(max_items=len(first.evidence) * 2, idle_seconds=30, clock=lambda: now[0])
    kept.keep(AGENCY, "prac-0", first)
    kept.keep(AGENCY, "prac-1", second)
    now[0] = 20
    kept.keep(AGENCY, "prac-0", first)  # used again: now the newest
    kept.keep(AGENCY, "prac-2", third)  # the others in use: not kept
    assert kept.get(AGENCY, "prac-2") is None and len(kept) == 2
    now[0] = 40  # prac-1 idle 40 s, prac-0 20 s
    kept.keep(AGENCY, "prac-2", third)
    assert kept.get(AGENCY, "prac-0") is first
    assert kept.get(AGENCY, "prac-1") is None
    assert kept.get(AGENCY, "prac-2") is third
    assert len(kept) == 2


def test_a_replay_that_kept_nothing_forgets_the_practitioners_snapshot() -> None:
    kept = KeptReplays()
    kept.keep(AGENCY, "prac-0", snapshot_of("prac-0"))
    kept.keep(AGENCY, "prac-0", None)
    assert kept.get(AGENCY, "prac-0") is None and len(kept) == 0


def test_a_snapshot_larger_than_the_bound_is_not_kept() -> None:
    snapshot = snapshot_of("prac-0")
    kept = KeptReplays(max_items=len(snapshot.evidence) - 1)
    kept.keep(AGENCY, "prac-0", snapshot)
    assert kept.get(AGENCY, "prac-0") is None
