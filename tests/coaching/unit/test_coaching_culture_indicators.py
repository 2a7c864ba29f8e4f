"""Agency culture indicators on a seeded agency, every number worked out by hand.

The agency, as of Sunday 2025-06-15 (months counted: 2024-07 … 2025-06):

  roster  P1, P2, P3, P4 active throughout; P5 joined on 2025-05-01.
  X9 is not on the roster (another agency's id, or a coach): always ignored.

  coaching sessions (held_on)
    P1  2025-03-03, 03-24, 04-14, 05-05, 06-02
    P2  2025-04-07 (twice that day), 05-19
    P3  2024-06-20 (before the 12-month window), 2024-07-10, 2025-06-10
    P4  2025-06-20 (after as_of: ignored)
    P5  2025-06-05
    X9  2025-06-01

  peer sessions (90-day window 2025-03-18 … 06-15)
    PS1  2025-03-17  P4 facilitates, P1            → one day before the window
    PS2  2025-03-18  P1 facilitates, P2, X9        → first day of the window
    PS3  2025-06-01  coach C1 facilitates, P2, P5
    PS4  2025-05-10  X9 facilitates, X8            → no roster member: not counted

  reflections (30-day window 2025-05-17 … 06-15)
    P1 2025-05-16 (a day too early), P1 05-17, P3 06-01, P3 06-14,
    X9 06-10 (not on roster), P2 06-16 (after as_of)
"""

from __future__ import annotations

from datetime import date

import pytest

from services.coaching.domain.culture import PeerLearningSession, Reflection
from services.coaching.domain.culture_indicators import (
    CultureIndicators,
    RosterMember,
    culture_indicators,
    roster_of,
    team_culture_indicators,
)
from services.coaching.domain.sessions import CoachingSession
from tests.coaching.unit.coaching_builders import (
    coaching_session,
    peer_session,
    reflection,
)

AS_OF = date(2025, 6, 15)

ROSTER = (
    *roster_of(["P1", "P2", "P3", "P4"]),
    RosterMember(practitioner_id="P5", active_from=date(2025, 5, 1)),
)


def sessions_on(practitioner: str, *days: date) -> list[CoachingSession]:
    return [
        coaching_session(practitioner, day, session_id=f"{practitioner}-{i}")
        for i, day in enumerate(days)
    ]


COACHING = [
    *sessions_on(
        "P1",
        date(2025, 3, 3),
        date(2025, 3, 24),
        date(2025, 4, 14),
        date(2025, 5, 5),
        date(2025, 6, 2),
    ),
    *sessions_on("P2", date(2025, 4, 7), date(2025, 4, 7), date(2025, 5, 19)),
    *sessions_on("P3", date(2024, 6, 20), date(2024, 7, 10), date(2025, 6, 10)),
    *sessions_on("P4", date(2025, 6, 20)),
    *sessions_on("P5", date(2025, 6, 5)),
    *sessions_on("X9", date(2025, 6, 1)),
]

PEER: list[PeerLearningSession] = [
    peer_session("PS1", date(2025, 3, 17), facilitator="P4", participants=("P1",)),
    peer_session("PS2", date(2025, 3, 18), facilitator="P1", participants=("P2", "X9")),
    peer_session("PS3", date(2025, 6, 1), facilitator="C1", participants=("P2", "P5")),
    peer_session("PS4", date(2025, 5, 10), facilitator="X9", participants=("X8",)),
]

REFLECTIONS: list[Reflection] = [
    reflection("R1", "P1", date(2025, 5, 16)),
    reflection("R2", "P1", date(2025, 5, 17)),
    reflection("R3", "P3", date(2025, 6, 1)),
    reflection("R4", "P3", date(2025, 6, 14)),
    reflection("R5", "X9", date(2025, 6, 10)),
    reflection("R6", "P2", date(2025, 6, 16)),
]


def monthly(indicators: CultureIndicators) -> list[tuple[str, int, int, float | None]]:
    return [
        (m.month, m.practitioners_coached, m.active_practitioners, m.share)
        for m in indicators.monthly_coaching
    ]


class TestAgencyIndicators:
    @pytest.fixture
    def agency(self) -> CultureIndicators:
        return culture_indicators(
            roster=ROSTER,
            coaching_sessions=COACHING,
            peer_sessions=PEER,
            reflections=REFLECTIONS,
            as_of=AS_OF,
        )

    def test_monthly_coaching_coverage_over_the_last_twelve_months(
        self, agency: CultureIndicators
    ) -> None:
        # 2024-07: 4 active (P5 not yet), P3 coached on 07-10          → 1/4 = 0.25
        # 2024-08 … 2025-02: 4 active, nobody coached                  → 0/4 = 0.0
        # 2025-03: P1 (03-03, 03-24)                                   → 1/4 = 0.25
        # 2025-04: P1 (04-14), P2 (04-07)                              → 2/4 = 0.5
        # 2025-05: 5 active (P5 from 05-01); P1 (05-05), P2 (05-19)    → 2/5 = 0.4
        # 2025-06 to the 15th: P1 (06-02), P5 (06-05), P3 (06-10);
        #          P4's 06-20 is after as_of, X9 is not on the roster  → 3/5 = 0.6
        quiet = ["2024-08", "2024-09", "2024-10", "2024-11", "2024-12", "2025-01", "2025-02"]
        assert monthly(agency) == [
            ("2024-07", 1, 4, 0.25),
            *[(month, 0, 4, 0.0) for month in quiet],
            ("2025-03", 1, 4, 0.25),
            ("2025-04", 2, 4, 0.5),
            ("2025-05", 2, 5, 0.4),
            ("2025-06", 3, 5, 0.6),
        ]

    def test_median_gap_pools_every_practitioners_gaps_inside_the_window(
        self, agency: CultureIndicators
    ) -> None:
        # P1: 03-03→03-24 = 21, →04-14 = 21, →05-05 = 21, →06-02 = 28
        # P2: 04-07 twice is one coaching day; 04-07→05-19 = 42
        # P3: 2024-06-20 is outside the window (no 20-day gap);
        #     2024-07-10→2025-06-10 = 184 (to Jan 10) + 151 (to Jun 10) = 335
        # P4, P5: fewer than two coaching days, no gap
        # pooled, sorted: 21, 21, 21, 28, 42, 335 → median = (21 + 28) / 2 = 24.5
        assert agency.session_gaps_counted == 6
        assert agency.median_days_between_sessions == 24.5

    def test_peer_learning_participation_over_the_last_90_days(
        self, agency: CultureIndicators
    ) -> None:
        # window 2025-03-18 … 06-15; all five are active in it (P5 from 05-01)
        # PS1 (03-17) is outside; PS4 has no roster member → sessions = PS2, PS3 = 2
        # attended: P1 (facilitated PS2), P2 (PS2, PS3), P5 (PS3) → 3/5 = 0.6
        peer = agency.peer_learning
        assert (peer.window_start, peer.window_end) == (date(2025, 3, 18), AS_OF)
        assert peer.sessions == 2
        assert (peer.practitioners_attending, peer.active_practitioners) == (3, 5)
        assert peer.share == pytest.approx(0.6)

    def test_reflection_activity_over_the_last_30_days(self, agency: CultureIndicators) -> None:
        # window 2025-05-17 … 06-15: R2 (P1), R3 and R4 (P3) → 3 reflections
        # R1 is a day early, R5 is not on the roster, R6 is after as_of
        # practitioners reflecting: P1, P3 → 2/5 = 0.4
        activity = agency.reflection
        assert (activity.window_start, activity.window_end) == (date(2025, 5, 17), AS_OF)
        assert activity.reflections == 3
        assert (activity.practitioners_reflecting, activity.active_practitioners) == (2, 5)
        assert activity.share == pytest.approx(0.4)


class TestTeamIndicators:
    @pytest.fixture
    def team(self) -> CultureIndicators:
        # The supervisor's team: P1, P4, P5, and X7 who is not on the roster (not counted).
        return team_culture_indicators(
            team=["P1", "P4", "P5", "X7"],
            roster=ROSTER,
            coaching_sessions=COACHING,
            peer_sessions=PEER,
            reflections=REFLECTIONS,
            as_of=AS_OF,
        )

    def test_team_months_count_only_team_members(self, team: CultureIndicators) -> None:
        # 2024-07 … 2025-02: P1, P4 active, nobody coached → 0/2
        # 2025-03: P1 → 1/2;  2025-04: P1 → 1/2
        # 2025-05: P1, P4, P5 active; P1 → 1/3
        # 2025-06: P1 (06-02), P5 (06-05) → 2/3
        quiet = [
            "2024-07",
            "2024-08",
            "2024-09",
            "2024-10",
            "2024-11",
            "2024-12",
            "2025-01",
            "2025-02",
        ]
        coverage = monthly(team)
        assert coverage[:8] == [(month, 0, 2, 0.0) for month in quiet]
        assert coverage[8:] == [
            ("2025-03", 1, 2, 0.5),
            ("2025-04", 1, 2, 0.5),
            ("2025-05", 1, 3, pytest.approx(1 / 3)),
            ("2025-06", 2, 3, pytest.approx(2 / 3)),
        ]

    def test_team_median_gap_rests_on_team_gaps_only(self, team: CultureIndicators) -> None:
        # only P1 has gaps: 21, 21, 21, 28 → median = (21 + 21) / 2 = 21
        assert (team.session_gaps_counted, team.median_days_between_sessions) == (4, 21.0)

    def test_team_peer_learning_and_reflection(self, team: CultureIndicators) -> None:
        # peer: PS2 has P1, PS3 has P5 → 2 sessions; attending P1, P5 → 2/3
        # reflection: R2 by P1 → 1 reflection, 1/3
        assert (team.peer_learning.sessions, team.peer_learning.practitioners_attending) == (2, 2)
        assert team.peer_learning.share == pytest.approx(2 / 3)
        assert (team.reflection.reflections, team.reflection.practitioners_reflecting) == (1, 1)
        assert team.reflection.share == pytest.approx(1 / 3)


class TestEdgesOfTheDefinitions:
    def test_practitioner_who_left_is_not_in_later_denominators(self) -> None:
        roster = [
            RosterMember(practitioner_id="P1"),
            RosterMember(practitioner_id="P2", active_to=date(2025, 4, 30)),
        ]

        indicators = culture_indicators(
            roster=roster,
            coaching_sessions=sessions_on("P1", date(2025, 5, 6)),
            peer_sessions=[],
            reflections=[],
            as_of=AS_OF,
        )

        # April: both active, nobody coached → 0/2; May: only P1 active and coached → 1/1
        assert monthly(indicators)[-3:-1] == [("2025-04", 0, 2, 0.0), ("2025-05", 1, 1, 1.0)]

    def test_empty_roster_gives_no_share_rather_than_zero(self) -> None:
        indicators = culture_indicators(
            roster=[], coaching_sessions=[], peer_sessions=[], reflections=[], as_of=AS_OF
        )

        assert {m.share for m in indicators.monthly_coaching} == {None}
        assert indicators.peer_learning.share is None
        assert indicators.reflection.share is None
        assert indicators.median_days_between_sessions is None
        assert indicators.session_gaps_counted == 0

    def test_months_roll_over_the_year_end(self) -> None:
        indicators = culture_indicators(
            roster=roster_of(["P1"]),
            coaching_sessions=[],
            peer_sessions=[],
            reflections=[],
            as_of=date(2025, 1, 31),
        )

        months = [m.month for m in indicators.monthly_coaching]
        assert (months[0], months[-2], months[-1], len(months)) == (
            "2024-02",
            "2024-12",
            "2025-01",
            12,
        )


def test_a_member_away_for_a_whole_window_is_not_active_in_it() -> None:
    member = RosterMember(
        practitioner_id="p",
        active_from=date(2025, 1, 1),
        away=((date(2025, 3, 1), date(2025, 5, 1)), (date(2025, 8, 15), None)),
    )

    assert member.active_during(date(2025, 2, 1), date(2025, 2, 28))
    assert not member.active_during(date(2025, 3, 1), date(2025, 4, 30))
    assert member.active_during(date(2025, 4, 1), date(2025, 5, 1))  # back on May 1st
    assert member.active_during(date(2025, 8, 1), date(2025, 8, 31))  # left mid-month
    assert not member.active_during(date(2025, 9, 1), date(2025, 9, 30))
    assert not member.active_during(date(2024, 12, 1), date(2024, 12, 31))  # before start
