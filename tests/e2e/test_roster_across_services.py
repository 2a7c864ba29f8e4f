"""End to end: certification's roster lifecycle reaches every copy of the roster.

A practitioner registered at certification, moved to another supervisor and a named team,
then leaving: learning's and coaching's team views follow the change from its effective
date, and fidelity refuses an observation of a meeting held after the leaving.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import httpx

from shared.testing.apps import bearer
from shared.testing.waiting import eventually
from tests.e2e.test_certification_across_services import Agency, Service, four_services
from tests.fidelity.fidelity_builders import observation


def admin_of(service: Service) -> dict[str, str]:
    return bearer(service.settings, service.agency_id, "admin", subject="admin-ada")


async def lifecycle(agency: Agency) -> None:
    certification = agency.certification
    registration = {
        "practitioner_id": "p-1",
        "role": "facilitator",
        "program_start": "2025-01-06",
        "coach_id": None,
        "supervisor_id": "sup-a",
    }
    moved = {"effective_on": "2025-06-01", "supervisor_id": "sup-b", "team_id": "north"}
    leaving = {"effective_on": "2025-09-01", "reason": "moved away"}
    await certification.post("/practitioners", registration, "admin", subject="admin-ada")
    await certification.post("/practitioners/p-1/changes", moved, "admin", subject="admin-ada")
    await certification.post("/practitioners/p-1/leaving", leaving, "admin", subject="admin-ada")


async def test_a_roster_change_and_a_leaving_reach_every_service(
    settings_for: Callable[..., Any], agency_id: str
) -> None:
    async with four_services(settings_for, agency_id) as agency:
        await lifecycle(agency)

        async def learning_members(team_id: str, on: str) -> list[str] | None:
            response = await agency.learning.client.get(
                f"/teams/{team_id}",
                params={"as_of": f"{on}T12:00:00Z"},
                headers=admin_of(agency.learning),
            )
            return response.json()["member_ids"] if response.status_code == 200 else None

        async def coaching_members(team_id: str, on: str) -> list[str] | None:
            response = await agency.coaching.client.get(
                f"/teams/{team_id}", params={"as_of": on}, headers=admin_of(agency.coaching)
            )
            return response.json()["practitioner_ids"] if response.status_code == 200 else None

        async def left_everywhere() -> bool:  # the last event reached both copies
            return await learning_members("north", "2025-09-02") is None and (
                await coaching_members("north", "2025-09-02") is None
            )

        async def in_north_in_june() -> bool:
            return await learning_members("north", "2025-06-02") == ["p-1"]

        await eventually(in_north_in_june)
        await eventually(left_everywhere)
        assert await learning_members("sup-a", "2025-05-31") == ["p-1"]
        assert await learning_members("sup-a", "2025-06-01") is None
        assert await coaching_members("sup-b", "2025-06-01") == ["p-1"]
        assert await coaching_members("sup-b", "2025-09-01") is None

        observed = observation(
            practitioner_id="p-1", observer_id="obs-1", meeting_date=date(2025, 9, 10)
        )
        headers = bearer(agency.fidelity.settings, agency_id, "observer", subject="obs-1")

        async def refused_after_leaving() -> httpx.Response:
            return await agency.fidelity.client.post(
                "/observations", json=observed, headers=headers
            )

        async def fidelity_knows_the_leaving() -> bool:
            response = await refused_after_leaving()
            return response.status_code == 422 and "left" in response.json()["detail"]

        await eventually(fidelity_knows_the_leaving)
