"""The stored tail of a roster item closes the JSON object the board's list answers."""

from __future__ import annotations

import json
from datetime import date

from services.certification.adapters.roster_items import UNEVALUATED_TAIL, roster_item_tail
from services.certification.models.roster import LevelStatusPublic

HEAD = '{"practitioner_id" : "pr-\\"1\\"", "role" : "facilitator"'


def test_a_tail_closes_the_item_with_its_levels_in_order_and_its_evaluation_days() -> None:
    levels = [
        ("facilitator", "certified", date(2025, 1, 2), date(2025, 1, 2), None),
        ('coach "senior" – é', "in_progress", None, None, date(2025, 3, 4)),
    ]
    tail = roster_item_tail(levels, date(2025, 6, 1), date(2025, 7, 1))

    item = json.loads(HEAD + tail)

    assert item["practitioner_id"] == 'pr-"1"'
    assert [LevelStatusPublic.model_validate(level) for level in item["levels"]] == [
        LevelStatusPublic(
            level="facilitator",
            status="certified",
            since=date(2025, 1, 2),
            certified_on=date(2025, 1, 2),
            at_risk_since=None,
        ),
        LevelStatusPublic(
            level='coach "senior" – é',
            status="in_progress",
            since=None,
            certified_on=None,
            at_risk_since=date(2025, 3, 4),
        ),
    ]
    assert (item["evaluated_as_of"], item["next_change_on"]) == ("2025-06-01", "2025-07-01")


def test_a_practitioner_never_evaluated_has_no_levels_and_no_evaluation_days() -> None:
    without_change = json.loads(HEAD + roster_item_tail([], date(2025, 6, 1), None))
    unevaluated = json.loads(HEAD + UNEVALUATED_TAIL)

    assert (without_change["levels"], without_change["next_change_on"]) == ([], None)
    assert unevaluated["levels"] == []
    assert unevaluated["evaluated_as_of"] is None
    assert unevaluated["next_change_on"] is None
