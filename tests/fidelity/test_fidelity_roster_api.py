"""Fidelity's copy of certification's roster: an observation of someone not on it, or
dated while they were away, is refused and stores nothing."""

from __future__ import annotations

from datetime import date

from tests.fidelity.fidelity_builders import observation
from tests.fidelity.fidelity_client import FidelityApi


async def test_refuses_an_observation_for_a_practitioner_not_on_the_roster(
    fidelity: FidelityApi,
) -> None:
    before = (await fidelity.count("events"), await fidelity.count("observations"))

    response = await fidelity.post(
        "/observations",
        observation(practitioner_id="nobody", observer_id="obs-1"),
        "observer",
        "obs-1",
        on_roster=False,
    )

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"].endswith("/not-on-roster")
    assert "'nobody'" in problem["detail"] and fidelity.agency_id in problem["detail"]
    assert "POST /practitioners" in problem["detail"]
    assert (await fidelity.count("events"), await fidelity.count("observations")) == before


async def test_refuses_a_co_observation_of_a_meeting_held_while_the_practitioner_was_away(
    fidelity: FidelityApi,
) -> None:
    await fidelity.roster.register("prac-1", program_start=date(2024, 1, 1))
    first = await fidelity.record(
        observation(practitioner_id="prac-1", observer_id="obs-a", meeting_date=date(2025, 1, 10))
    )
    await fidelity.roster.leave("prac-1", date(2025, 1, 5))  # announced late, dated before

    second = await fidelity.post(
        "/observations",
        observation(
            practitioner_id="prac-1",
            observer_id="obs-b",
            meeting_date=date(2025, 1, 10),
            co_observation_of=first["id"],
        ),
        "observer",
        "obs-b",
    )
    later = await fidelity.post(
        "/observations",
        observation(practitioner_id="prac-1", observer_id="obs-a", meeting_date=date(2025, 2, 10)),
        "observer",
        "obs-a",
    )

    assert second.status_code == 422, second.text
    assert second.json()["type"].endswith("/not-on-roster")
    assert "left" in second.json()["detail"]
    assert later.status_code == 422


async def test_observers_need_not_be_on_the_roster(fidelity: FidelityApi) -> None:
    await fidelity.roster.register("prac-1")

    recorded = await fidelity.record(observation(practitioner_id="prac-1", observer_id="obs-z"))

    assert recorded["observer_id"] == "obs-z"
