"""The learning-culture views computed through the API on a seeded agency, checked
against numbers worked out by hand below."""

from __future__ import annotations

from datetime import date

import pytest

from tests.coaching.coaching_api import (
    COACH,
    OTHER_COACH,
    SUPERVISOR,
    CoachingApi,
    iso,
    peer_session_body,
    reflection_body,
)

AS_OF = date(2025, 6, 30)
P1, P2, P3, P4 = "prac-1", "prac-2", "prac-3", "prac-4"

# The seeded agency, as of 2025-06-30. The coaching window is the 12 months 2024-07 …
# 2025-06; peer learning counts 2025-04-02 … 06-30 (90 days), reflection 06-01 … 06-30.
#
# Roster (certification's, with SUPERVISOR's team P1, P2, P4):
#   P1  program start 2024-07-01, coached by COACH from then      → active every month
#   P2  program start 2025-01-15, coached by COACH from then      → active 2025-01 … 06
#   P3  program start 2024-05-01, coached by OTHER_COACH until 2025-03-31, left on
#       2025-04-01                                                → active 2024-07 … 2025-03
#   P4  program start 2020, never assigned                        → active throughout
#   visitors of peer sessions join the program on 2025-07-01      → not active yet
ROSTER = [  # (practitioner, program start, supervisor)
    (P1, date(2024, 7, 1), SUPERVISOR),
    (P2, date(2025, 1, 15), SUPERVISOR),
    (P3, date(2024, 5, 1), "sup-zed"),
    (P4, date(2020, 1, 1), SUPERVISOR),
    ("visitor-x", date(2025, 7, 1), None),
    ("visitor-y", date(2025, 7, 1), None),
]
P3_LEFT_ON = date(2025, 4, 1)
ASSIGNMENTS = [
    (COACH, P1, date(2024, 7, 1), None),
    (COACH, P2, date(2025, 1, 15), None),
    (OTHER_COACH, P3, date(2024, 5, 1), date(2025, 3, 31)),
]
COACHING_SESSIONS = [
    (COACH, P1, date(2024, 7, 15)),
    (COACH, P1, date(2025, 4, 10)),
    (COACH, P1, date(2025, 5, 8)),
    (COACH, P1, date(2025, 6, 5)),
    (COACH, P1, date(2025, 6, 5)),  # a second session that day: one coaching day
    (COACH, P2, date(2025, 2, 3)),
    (COACH, P2, date(2025, 3, 3)),
    (COACH, P2, date(2025, 6, 20)),
    (OTHER_COACH, P3, date(2024, 6, 10)),  # before the 12-month window
    (OTHER_COACH, P3, date(2024, 9, 10)),
    (OTHER_COACH, P3, date(2025, 3, 25)),
]
PEER_SESSIONS = [  # (facilitator, participants, held on)
    (P1, [P2, "visitor-x"], date(2025, 5, 15)),
    (P1, ["visitor-y"], date(2025, 6, 10)),
    (P4, [P1], date(2025, 4, 1)),  # one day before the 90-day window
    (P2, [P4], date(2025, 3, 20)),  # before the window
]
REFLECTIONS = [
    (P1, date(2025, 6, 1)),
    (P1, date(2025, 6, 15)),
    (P2, date(2025, 5, 31)),  # one day before the 30-day window
    (P4, date(2025, 6, 30)),
]


@pytest.fixture
async def seeded(api: CoachingApi) -> CoachingApi:
    for practitioner, program_start, supervisor in ROSTER:
        await api.roster.register(
            practitioner, program_start=program_start, supervisor_id=supervisor
        )
    await api.roster.leave(P3, P3_LEFT_ON, reason="moved to another agency")
    for coach, practitioner, valid_from, valid_to in ASSIGNMENTS:
        await api.assign(
            coach_id=coach,
            practitioner_id=practitioner,
            valid_from=iso(valid_from),
            valid_to=iso(valid_to) if valid_to else None,
        )
    for coach, practitioner, held_on in COACHING_SESSIONS:
        await api.log_session(coach, practitioner_id=practitioner, held_on=iso(held_on))
    for facilitator, participants, held_on in PEER_SESSIONS:
        body = peer_session_body(
            facilitator_id=facilitator, participant_ids=participants, held_on=iso(held_on)
        )
        await api.created("/peer-sessions", body, api.admin)
    for author, written_on in REFLECTIONS:
        body = reflection_body(practitioner_id=author, written_on=iso(written_on))
        await api.created("/reflections", body, api.admin)
    # P3 left on 2025-04-01: a reflection dated after that is refused, not just uncounted
    after_leaving = reflection_body(practitioner_id=P3, written_on=iso(date(2025, 6, 10)))
    refused = await api.post("/reflections", after_leaving, api.admin)
    assert refused.status_code == 422, refused.text
    assert refused.json()["type"].endswith("/not-on-roster")
    return api


def coverage(indicators: dict[str, object]) -> list[tuple[str, int, int]]:
    months = indicators["monthly_coaching"]
    assert isinstance(months, list)
    return [(m["month"], m["practitioners_coached"], m["active_practitioners"]) for m in months]


async def test_the_agency_culture_matches_the_hand_computation(seeded: CoachingApi) -> None:
    response = await seeded.get("/culture", seeded.as_("aud-1", "auditor"), as_of=iso(AS_OF))
    assert response.status_code == 200, response.text
    culture = response.json()

    # Coached ÷ active per month (P1, P3, P4 active from 2024-07; P2 joins 2025-01;
    # P3 leaves after 2025-03):
    #   2024-07 P1 (07-15)        1/3      2025-01 nobody            0/4
    #   2024-08 nobody            0/3      2025-02 P2 (02-03)        1/4
    #   2024-09 P3 (09-10)        1/3      2025-03 P2 (03-03), P3    2/4
    #   2024-10 … 12 nobody       0/3      2025-04 P1 (04-10)        1/3
    #                                      2025-05 P1 (05-08)        1/3
    #                                      2025-06 P1 (06-05), P2    2/3
    assert coverage(culture) == [
        ("2024-07", 1, 3), ("2024-08", 0, 3), ("2024-09", 1, 3), ("2024-10", 0, 3),
        ("2024-11", 0, 3), ("2024-12", 0, 3), ("2025-01", 0, 4), ("2025-02", 1, 4),
        ("2025-03", 2, 4), ("2025-04", 1, 3), ("2025-05", 1, 3), ("2025-06", 2, 3),
    ]  # fmt: skip
    assert culture["monthly_coaching"][-1]["share"] == pytest.approx(2 / 3)
    assert culture["monthly_coaching"][6]["share"] == 0.0

    # Gaps between distinct coaching days inside the window:
    #   P1: 2024-07-15 → 2025-04-10 = 269, → 05-08 = 28, → 06-05 = 28 (06-05 twice = once)
    #   P2: 2025-02-03 → 03-03 = 28, → 06-20 = 109
    #   P3: 2024-09-10 → 2025-03-25 = 196 (2024-06-10 lies before the window)
    # pooled, sorted: 28 28 28 109 196 269 → median = (28 + 109) / 2 = 68.5
    assert culture["median_days_between_sessions"] == 68.5
    assert culture["session_gaps_counted"] == 6

    # Peer learning 2025-04-02 … 06-30; active: P1, P2, P4 (P3 left 03-31).
    # In the window: 05-15 (P1 with P2) and 06-10 (P1 with a visitor) → 2 sessions;
    # attending: P1, P2 → 2 of 3. The 04-01 and 03-20 sessions fall outside.
    assert culture["peer_learning"] == {
        "window_start": "2025-04-02",
        "window_end": "2025-06-30",
        "sessions": 2,
        "practitioners_attending": 2,
        "active_practitioners": 3,
        "share": pytest.approx(2 / 3),
    }

    # Reflection 2025-06-01 … 06-30; active: P1, P2, P4. P1 twice, P4 once → 3 entries by
    # 2 of 3 (P2's 05-31 entry is outside; P3 is no longer active).
    assert culture["reflection"] == {
        "window_start": "2025-06-01",
        "window_end": "2025-06-30",
        "reflections": 3,
        "practitioners_reflecting": 2,
        "active_practitioners": 3,
        "share": pytest.approx(2 / 3),
    }


async def test_a_supervisor_sees_the_culture_of_their_team(seeded: CoachingApi) -> None:
    response = await seeded.get(
        f"/culture/teams/{SUPERVISOR}", seeded.as_(SUPERVISOR, "supervisor"), as_of=iso(AS_OF)
    )
    assert response.status_code == 200, response.text
    team = response.json()

    # The team is P1, P2, P4: the agency's numbers without P3.
    assert (team["scope"], team["supervisor_id"]) == ("team", SUPERVISOR)
    assert coverage(team) == [
        ("2024-07", 1, 2), ("2024-08", 0, 2), ("2024-09", 0, 2), ("2024-10", 0, 2),
        ("2024-11", 0, 2), ("2024-12", 0, 2), ("2025-01", 0, 3), ("2025-02", 1, 3),
        ("2025-03", 1, 3), ("2025-04", 1, 3), ("2025-05", 1, 3), ("2025-06", 2, 3),
    ]  # fmt: skip
    # gaps P1: 269 28 28, P2: 28 109 → sorted 28 28 28 109 269 → median 28
    assert team["median_days_between_sessions"] == 28.0
    assert team["session_gaps_counted"] == 5
    assert team["peer_learning"]["practitioners_attending"] == 2
    assert team["reflection"]["reflections"] == 3


async def test_a_supervisor_sees_only_their_own_team(seeded: CoachingApi) -> None:
    other = seeded.as_("sup-other", "supervisor")

    refused = await seeded.get(f"/culture/teams/{SUPERVISOR}", other, as_of=iso(AS_OF))
    missing = await seeded.get("/culture/teams/sup-other", other, as_of=iso(AS_OF))
    future = await seeded.get("/culture", seeded.admin, as_of="2999-01-01")

    assert refused.status_code == 403
    assert "their own team" in refused.json()["detail"]
    assert missing.status_code == 404
    assert future.status_code == 422
    assert "as_of" in future.json()["detail"]
    practitioner = seeded.as_(P1, "practitioner")
    assert (await seeded.get("/culture", practitioner)).status_code == 403


async def test_a_practitioner_who_left_is_not_counted_after_the_leaving_date(
    seeded: CoachingApi,
) -> None:
    auditor = seeded.as_("aud-1", "auditor")
    last_day = (await seeded.get("/culture", auditor, as_of="2025-03-31")).json()
    after = (await seeded.get("/culture", auditor, as_of="2025-04-30")).json()

    # P1, P2, P3, P4 on P3's last day; P3 is gone from 2025-04-01 on
    assert last_day["reflection"]["active_practitioners"] == 4
    assert after["reflection"]["active_practitioners"] == 3
    assert coverage(after)[-2:] == [("2025-03", 2, 4), ("2025-04", 1, 3)]


async def test_the_roster_is_certifications(seeded: CoachingApi) -> None:
    roster = (await seeded.get("/roster", seeded.admin)).json()["items"]

    assert roster == [
        {"practitioner_id": P1, "active_from": "2024-07-01", "away": []},
        {"practitioner_id": P2, "active_from": "2025-01-15", "away": []},
        {
            "practitioner_id": P3,
            "active_from": "2024-05-01",
            "away": [{"left_on": "2025-04-01", "returned_on": None}],
        },
        {"practitioner_id": P4, "active_from": "2020-01-01", "away": []},
        {"practitioner_id": "visitor-x", "active_from": "2025-07-01", "away": []},
        {"practitioner_id": "visitor-y", "active_from": "2025-07-01", "away": []},
    ]
