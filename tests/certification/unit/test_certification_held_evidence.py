"""Parsed evidence held between evaluations: served only when a read finds all of it."""

from __future__ import annotations

from typing import Any

from services.certification.adapters.evidence_cache import ParsedEvidence, item_bytes
from services.certification.adapters.evidence_rows import items_of_rows
from services.certification.domain.evidence import EVIDENCE_ADAPTER
from tests.certification.unit.certification_builders import PractitionerHistory

AGENCY = "agency-1"


def stored_rows() -> list[dict[str, Any]]:
    items = PractitionerHistory.certified_facilitator().items
    return [
        {
            "practitioner_id": item.practitioner_id,
            "event_id": item.event_id,
            "position": 100 + n,
            "item": EVIDENCE_ADAPTER.dump_json(item).decode(),
        }
        for n, item in enumerate(items)
    ]


def test_items_held_are_served_when_the_read_finds_every_one_and_new_rows_are_added() -> None:
    rows = stored_rows()
    practitioner_id = rows[0]["practitioner_id"]
    held = ParsedEvidence()
    first, unmatched = items_of_rows(held, AGENCY, [practitioner_id], rows[:-2], {})
    assert unmatched == set() and len(held) == len(rows) - 2
    again, unmatched = items_of_rows(
        held, AGENCY, [practitioner_id], rows[-2:], {practitioner_id: len(rows) - 2}
    )
    assert unmatched == set()
    everything, _ = items_of_rows(ParsedEvidence(), AGENCY, [practitioner_id], rows, {})
    assert again == everything
    assert first[practitioner_id] == everything[practitioner_id][:-2]
    assert len(held) == len(rows)


def test_a_held_item_the_read_no_longer_finds_sends_the_practitioner_to_a_full_read() -> None:
    rows = stored_rows()
    practitioner_id = rows[0]["practitioner_id"]
    held = ParsedEvidence()
    items_of_rows(held, AGENCY, [practitioner_id], rows, {})
    # one held row was retracted: the read finds one fewer
    items, unmatched = items_of_rows(
        held, AGENCY, [practitioner_id], [], {practitioner_id: len(rows) - 1}
    )
    assert unmatched == {practitioner_id} and practitioner_id not in items
    assert len(held) == 0  # nothing served from what was held before
    rows.pop(3)
    again, unmatched = items_of_rows(held, AGENCY, [practitioner_id], rows, {})
    assert unmatched == set() and len(again[practitioner_id]) == len(rows)


class Clock:
    """Seconds, moved by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def renamed(rows: list[dict[str, Any]], practitioner_id: str) -> list[dict[str, Any]]:
    return [{**row, "practitioner_id": practitioner_id} for row in rows]


def bytes_of(rows: list[dict[str, Any]]) -> int:
    return sum(item_bytes(row["item"]) for row in rows)


def test_room_is_made_by_dropping_the_least_recently_read_practitioners_gone_idle() -> None:
    rows = stored_rows()
    clock = Clock()
    held = ParsedEvidence(max_bytes=bytes_of(rows) * 2, idle_seconds=30, clock=clock)
    for practitioner_id in ("pr-a", "pr-b", "pr-c"):
        items_of_rows(held, AGENCY, [practitioner_id], renamed(rows, practitioner_id), {})
        clock.now += 40
    assert len(held) == len(rows) * 2 and held.bytes == bytes_of(rows) * 2
    assert held.held(AGENCY, "pr-a") == {}
    for practitioner_id in ("pr-b", "pr-c"):
        assert {
            position: event_id
            for position, (event_id, _) in held.held(AGENCY, practitioner_id).items()
        } == {row["position"]: row["event_id"] for row in rows}
    assert held.last_positions(AGENCY, ["pr-a", "pr-b"]) == [0, rows[-1]["position"]]


def test_batches_over_more_practitioners_than_fit_keep_serving_those_held() -> None:
    """The same practitioners in every batch, more than the bound holds: those held stay
    held and are served (dropping the least recently read would serve none)."""
    rows = stored_rows()
    clock = Clock()
    held = ParsedEvidence(max_bytes=bytes_of(rows) * 2, idle_seconds=30, clock=clock)
    everyone = ["pr-a", "pr-b", "pr-c"]
    for practitioner_id in everyone:
        items_of_rows(held, AGENCY, [practitioner_id], renamed(rows, practitioner_id), {})
    assert held.last_positions(AGENCY, everyone) == [rows[-1]["position"]] * 2 + [0]
    for _ in range(3):  # the next batches, a few seconds apart
        clock.now += 5
        confirmed = {
            practitioner_id: len(held.held(AGENCY, practitioner_id))
            for practitioner_id in everyone
            if held.held(AGENCY, practitioner_id)
        }
        assert sorted(confirmed) == ["pr-a", "pr-b"]
        for practitioner_id in everyone:
            fresh = [] if practitioner_id in confirmed else renamed(rows, practitioner_id)
            items, unmatched = items_of_rows(held, AGENCY, [practitioner_id], fresh, confirmed)
            assert unmatched == set() and len(items[practitioner_id]) == len(rows)
    assert held.bytes <= bytes_of(rows) * 2


def test_a_practitioner_growing_past_the_room_left_is_dropped_and_read_again() -> None:
    rows = stored_rows()
    clock = Clock()
    held = ParsedEvidence(max_bytes=bytes_of(rows) * 2 - 1, idle_seconds=30, clock=clock)
    items_of_rows(held, AGENCY, ["pr-a"], renamed(rows[:-1], "pr-a"), {})
    items_of_rows(held, AGENCY, ["pr-b"], renamed(rows, "pr-b"), {})
    items, _ = items_of_rows(
        held, AGENCY, ["pr-a"], renamed(rows[-1:], "pr-a"), {"pr-a": len(rows) - 1}
    )
    assert len(items["pr-a"]) == len(rows)  # served as read, but not held any longer
    assert held.held(AGENCY, "pr-a") == {} and len(held.held(AGENCY, "pr-b")) == len(rows)


def test_the_signature_spells_the_held_rows_in_position_order_and_follows_what_is_kept() -> None:
    rows = stored_rows()
    practitioner_id = rows[0]["practitioner_id"]
    held = ParsedEvidence()
    assert held.signature(AGENCY, practitioner_id) == ""
    items_of_rows(held, AGENCY, [practitioner_id], list(reversed(rows[:3])), {})
    first = ",".join(f"{row['position']}:{row['event_id']}" for row in rows[:3])
    assert held.signature(AGENCY, practitioner_id) == first
    items_of_rows(held, AGENCY, [practitioner_id], rows[3:4], {practitioner_id: 3})
    assert (
        held.signature(AGENCY, practitioner_id)
        == f"{first},{rows[3]['position']}:{rows[3]['event_id']}"
    )
    held.clear()
    assert held.signature(AGENCY, practitioner_id) == ""


def test_the_signature_carried_on_is_spelled_again_when_a_row_lands_below_the_last_held() -> None:
    rows = stored_rows()
    practitioner_id = rows[0]["practitioner_id"]
    held = ParsedEvidence()
    first, late, after = rows[:3], rows[3], rows[4:6]
    without_late = [*first, *after]
    items_of_rows(held, AGENCY, [practitioner_id], without_late, {})
    assert held.signature(AGENCY, practitioner_id) == ",".join(
        f"{row['position']}:{row['event_id']}" for row in without_late
    )
    # a full read finds a row committed late below the last held position
    items_of_rows(held, AGENCY, [practitioner_id], [late], {practitioner_id: len(without_late)})
    assert held.signature(AGENCY, practitioner_id) == ",".join(
        f"{row['position']}:{row['event_id']}" for row in rows[:6]
    )
