"""Learning's copy of certification's roster: evidence for someone not on it is refused,
and teams are the roster's, moving with a change of supervisor."""

from __future__ import annotations

from datetime import date, timedelta

from tests.learning.api_builders import ENROLLED_ON, T0, a_review, an_attempt, an_enrollment
from tests.learning.learning_client import LearningApi


async def test_refuses_evidence_for_a_practitioner_not_on_the_roster(
    learning: LearningApi,
) -> None:
    await learning.master("p-1", ("M1",))
    stored_before = await learning.stored_events()

    answers = [
        await learning.post(path, body, on_roster=False)
        for path, body in (
            ("/enrollments", an_enrollment("nobody")),
            ("/attempts", an_attempt("nobody")),
            ("/reviews", a_review("nobody")),
        )
    ]

    for response in answers:
        assert response.status_code == 422, response.text
        problem = response.json()
        assert problem["type"].endswith("/not-on-roster")
        assert "'nobody'" in problem["detail"] and learning.agency_id in problem["detail"]
        assert "POST /practitioners" in problem["detail"]
    assert await learning.stored_events() == stored_before


async def test_refuses_evidence_dated_while_the_practitioner_was_away(
    learning: LearningApi,
) -> None:
    await learning.master("p-1", ("M1",))
    left_on = (T0 + timedelta(days=10)).date()
    await learning.roster.leave("p-1", left_on, reason="parental leave")
    await learning.roster.come_back("p-1", left_on + timedelta(days=30))

    away = await learning.post("/reviews", a_review("p-1", at=T0 + timedelta(days=20)))
    back = await learning.post("/reviews", a_review("p-1", at=T0 + timedelta(days=45)))
    before = await learning.post("/reviews", a_review("p-1", at=T0 + timedelta(days=5)))

    assert away.status_code == 422, away.text
    assert away.json()["type"].endswith("/not-on-roster")
    assert "left" in away.json()["detail"]
    assert (back.status_code, before.status_code) == (201, 201)


async def test_a_change_of_supervisor_moves_the_practitioner_between_teams(
    learning: LearningApi,
) -> None:
    moved_on = date(2025, 6, 1)
    await learning.roster.register("p-1", "p-2", supervisor_id="sup-a", team_id="north")
    await learning.roster.register("p-3", supervisor_id="sup-b")
    await learning.enroll("p-1", ENROLLED_ON)
    await learning.roster.change("p-1", moved_on, supervisor_id="sup-b", team_id=None)

    def members(team_id: str, on: date) -> object:
        return learning.get(f"/teams/{team_id}", as_of=f"{on.isoformat()}T12:00:00Z")

    before = [(await members(t, moved_on - timedelta(days=1))).json() for t in ("sup-a", "sup-b")]
    after = [(await members(t, moved_on)).json() for t in ("sup-a", "sup-b")]
    listed = await learning.get("/teams", as_of=f"{moved_on.isoformat()}T12:00:00Z")
    visibility = await learning.get(
        "/teams/sup-b/visibility", role="supervisor", as_of=f"{moved_on.isoformat()}T12:00:00Z"
    )

    assert [t["member_ids"] for t in before] == [["p-1", "p-2"], ["p-3"]]
    assert [t["member_ids"] for t in after] == [["p-2"], ["p-1", "p-3"]]
    assert [(t["id"], t["kind"], t["member_ids"]) for t in listed.json()["items"]] == [
        ("north", "named", ["p-2"]),
        ("sup-a", "supervisor", ["p-2"]),
        ("sup-b", "supervisor", ["p-1", "p-3"]),
    ]
    assert visibility.status_code == 200, visibility.text
    assert [r["practitioner_id"] for r in visibility.json()["ranking"]] == ["p-1"]
    assert visibility.json()["not_enrolled"] == ["p-3"]


async def test_a_team_nobody_is_in_is_not_found(learning: LearningApi) -> None:
    response = await learning.get("/teams/sup-nobody")

    assert response.status_code == 404
    assert "sup-nobody" in response.json()["detail"]


async def test_a_registration_alone_enrolls_nobody(learning: LearningApi) -> None:
    """Only a learner the LMS already reported on is enrolled by the roster."""
    await learning.roster.register("p-quiet", program_start=date(2025, 3, 1))

    assert (await learning.get("/enrollments/p-quiet")).status_code == 404
    assert await learning.stored_events() == 0
