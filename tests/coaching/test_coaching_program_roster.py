"""Coaching's copy of certification's roster: who may have coaching records, who the
culture views count, and which team each practitioner is in on a day.

Certification owns the roster and announces it (`practitioner_registered`,
`practitioner_details_changed`, `practitioner_left`, `practitioner_returned`); coaching
keeps a copy through a durable consumer. The tests announce the events as certification
would (`shared.testing.roster`).
"""

from __future__ import annotations

from datetime import date

from tests.coaching.coaching_api import (
    COACH,
    SUPERVISOR,
    CoachingApi,
    assignment_body,
    iso,
    peer_session_body,
    plan_body,
    reflection_body,
    refused,
    session_body,
)


async def test_a_practitioner_registered_in_the_program_counts_before_any_coaching(
    api: CoachingApi,
) -> None:
    [event] = await api.roster.register("prac-new", program_start=date(2025, 1, 6))

    roster = (await api.get("/roster", api.admin)).json()["items"]
    assert roster == [{"practitioner_id": "prac-new", "active_from": "2025-01-06", "away": []}]

    culture = (await api.get("/culture", api.admin, as_of="2025-03-31")).json()
    months = {m["month"]: m for m in culture["monthly_coaching"]}
    # in the program since January, never coached: 0 of 1 each month, not "nobody active"
    for month in ("2025-01", "2025-02", "2025-03"):
        coverage = (months[month]["practitioners_coached"], months[month]["active_practitioners"])
        assert coverage == (0, 1)
        assert months[month]["share"] == 0.0
    assert months["2024-12"]["active_practitioners"] == 0

    # a redelivered registration (same event, no de-duplication by the server) changes nothing
    await api.roster.announce([event], msg_id=False)
    assert (await api.get("/roster", api.admin)).json()["items"] == roster


async def test_refuses_records_of_a_practitioner_not_on_the_roster(api: CoachingApi) -> None:
    await api.roster.register("prac-pat", "prac-quinn", "coach-ana")
    admin = api.admin
    bodies = [
        ("/assignments", assignment_body(practitioner_id="nobody")),
        ("/plans", plan_body(practitioner_id="nobody")),
        ("/sessions", session_body(practitioner_id="nobody", coach_id=COACH)),
        ("/peer-sessions", peer_session_body(participant_ids=["prac-quinn", "nobody"])),
        ("/reflections", reflection_body(practitioner_id="nobody")),
    ]
    for path, body in bodies:
        problem = await refused(
            api,
            path,
            body,
            admin,
            status=422,
            says=("'nobody'", "roster", "POST /practitioners"),
            on_roster=False,
        )
        assert problem["type"].endswith("/not-on-roster"), path


async def test_a_change_of_supervisor_moves_the_practitioner_between_teams(
    api: CoachingApi,
) -> None:
    moved_on = date(2025, 6, 1)
    await api.roster.register("prac-1", "prac-2", supervisor_id=SUPERVISOR)
    await api.roster.register("prac-3", supervisor_id="sup-other", team_id="north")
    await api.roster.change("prac-1", moved_on, supervisor_id="sup-other", team_id="north")

    async def members(team_id: str, on: date) -> list[str]:
        response = await api.get(f"/teams/{team_id}", api.admin, as_of=iso(on))
        assert response.status_code == 200, response.text
        ids: list[str] = response.json()["practitioner_ids"]
        return ids

    assert await members(SUPERVISOR, date(2025, 5, 31)) == ["prac-1", "prac-2"]
    assert await members(SUPERVISOR, moved_on) == ["prac-2"]
    assert await members("sup-other", moved_on) == ["prac-1", "prac-3"]
    assert await members("north", moved_on) == ["prac-1", "prac-3"]
    listed = (await api.get("/teams", api.admin, as_of=iso(moved_on))).json()["items"]
    assert [(t["team_id"], t["kind"]) for t in listed] == [
        ("north", "named"),
        ("sup-other", "supervisor"),
        ("sup-sam", "supervisor"),
    ]

    async def culture_members(supervisor: str, on: date) -> int:
        response = await api.get(
            f"/culture/teams/{supervisor}", api.as_(supervisor, "supervisor"), as_of=iso(on)
        )
        assert response.status_code == 200, response.text
        active: int = response.json()["reflection"]["active_practitioners"]
        return active

    assert await culture_members(SUPERVISOR, date(2025, 5, 31)) == 2
    assert await culture_members(SUPERVISOR, moved_on) == 1
    assert await culture_members("sup-other", moved_on) == 2


async def test_a_practitioner_who_left_has_no_new_records_until_they_return(
    api: CoachingApi,
) -> None:
    await api.roster.register("prac-pat", "coach-ana", program_start=date(2024, 1, 1))
    await api.assign(valid_from=iso(date(2024, 1, 1)))
    await api.roster.leave("prac-pat", date(2025, 2, 1))
    await api.roster.come_back("prac-pat", date(2025, 3, 1))

    away = await api.post("/sessions", session_body(held_on="2025-02-10"), api.coach())
    back = await api.post("/sessions", session_body(held_on="2025-03-10"), api.coach())

    assert away.status_code == 422, away.text
    assert "left" in away.json()["detail"]
    assert back.status_code == 201, back.text
    roster = (await api.get("/roster", api.admin)).json()["items"]
    [pat] = [m for m in roster if m["practitioner_id"] == "prac-pat"]
    assert pat["away"] == [{"left_on": "2025-02-01", "returned_on": "2025-03-01"}]
