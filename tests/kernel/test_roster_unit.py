"""The pure parts of the roster copy: periods away from dated leave and return facts."""

from __future__ import annotations

import itertools
from datetime import date

from shared.roster import RosterHistory, away_periods

JAN, MAR, MAY, JUL = date(2025, 1, 1), date(2025, 3, 1), date(2025, 5, 1), date(2025, 7, 1)


def test_a_return_closes_the_period_its_leaving_opened_in_any_order() -> None:
    facts = [("left", JAN), ("returned", MAR), ("left", MAY)]

    for order in itertools.permutations(facts):
        assert away_periods(order) == ((JAN, MAR), (MAY, None))


def test_a_return_on_the_leaving_day_means_never_away_and_a_lone_return_is_ignored() -> None:
    assert away_periods([("left", MAR), ("returned", MAR)]) == ()
    assert away_periods([("returned", JAN), ("left", MAY)]) == ((MAY, None),)


def test_a_practitioner_is_on_the_roster_except_from_leaving_to_the_day_before_return() -> None:
    history = RosterHistory("p-1", program_start=JUL, away=((MAR, MAY),))

    assert history.on_roster(JAN)  # before the program start: evidence still counts
    assert not history.on_roster(MAR)
    assert not history.on_roster(date(2025, 4, 30))
    assert history.on_roster(MAY)
