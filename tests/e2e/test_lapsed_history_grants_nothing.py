"""A 12-month history whose reviews imply lapsed concepts never shows a grant.

The same history as tests/e2e/test_certification_across_services.py, without the
reviews that keep its concepts fresh: learning announces each lapse as it records the
mastery, with its true date, so certification never meets "no core concept lapsed" and
publishes no grant, not even for a moment.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from shared.testing.apps import bearer
from shared.testing.waiting import eventually
from tests.e2e.test_certification_across_services import (
    PRACTITIONER,
    PROGRAM_START,
    coach,
    four_services,
    learn,
    observe,
)


async def test_a_history_without_reviews_shows_its_lapses_and_publishes_no_grant(
    settings_for: Callable[..., Any], agency_id: str
) -> None:
    async with four_services(settings_for, agency_id) as agency:
        registration = {
            "practitioner_id": PRACTITIONER,
            "role": "facilitator",
            "program_start": PROGRAM_START.isoformat(),
            "coach_id": "coach-ana",
            "supervisor_id": "sup-sam",
        }
        await agency.certification.post("/practitioners", registration, "admin", subject="a-1")
        await asyncio.gather(learn(agency, reviewed=False), coach(agency), observe(agency))
        certification = agency.certification
        headers = bearer(certification.settings, agency_id, "admin", subject="a-1")

        async def state() -> dict[str, Any]:
            response = await certification.client.get(
                f"/practitioners/{PRACTITIONER}/certification", headers=headers
            )
            assert response.status_code == 200, response.text
            body: dict[str, Any] = response.json()
            return body

        def requirement(body: dict[str, Any], name: str) -> dict[str, Any]:
            [level] = [lv for lv in body["levels"] if lv["level"] == "facilitator"]
            [found] = [r for r in level["requirements"] if r["requirement"] == name]
            return found

        async def everything_else_met() -> bool:
            body = await state()
            others = ("modules_mastered_in_order", "qualifying_observations", "skill_ratings")
            return all(requirement(body, name)["met"] for name in others)

        await eventually(everything_else_met, timeout=40)
        await asyncio.sleep(1.0)  # a grant published in passing would be recorded by now
        body = await state()
        transitions = await certification.client.get(
            f"/practitioners/{PRACTITIONER}/transitions", headers=headers
        )

    lapsed = requirement(body, "concepts_not_lapsed")
    assert not lapsed["met"] and "lapsed" in lapsed["reason"]
    [facilitator] = [lv for lv in body["levels"] if lv["level"] == "facilitator"]
    assert facilitator["status"] != "certified"
    assert transitions.status_code == 200, transitions.text
    assert "granted" not in transitions.text
