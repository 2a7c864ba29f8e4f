"""Listing observations: filters by practitioner, observer, instrument and dates; keyset pages."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest

from tests.fidelity.fidelity_builders import (
    TINY_KEY,
    observation,
    tiny_instrument,
    tiny_observation,
)
from tests.fidelity.fidelity_client import FidelityApi


@pytest.fixture
async def history(fidelity: FidelityApi) -> dict[str, str]:
    """Six observations: name -> id."""
    await fidelity.publish(tiny_instrument())
    bodies = {
        "p1-jan": observation(
            practitioner_id="p1", observer_id="o1", meeting_date=date(2025, 1, 5)
        ),
        "p1-feb": observation(
            practitioner_id="p1", observer_id="o2", meeting_date=date(2025, 2, 5)
        ),
        "p1-mar": tiny_observation(
            8, practitioner_id="p1", observer_id="o1", meeting_date=date(2025, 3, 5)
        ),
        "p2-feb": observation(
            practitioner_id="p2", observer_id="o1", meeting_date=date(2025, 2, 5)
        ),
        "p2-mar": observation(
            practitioner_id="p2", observer_id="o2", meeting_date=date(2025, 3, 9)
        ),
        "p3-apr": tiny_observation(
            9, practitioner_id="p3", observer_id="o3", meeting_date=date(2025, 4, 1)
        ),
    }
    return {name: (await fidelity.record(body))["id"] for name, body in bodies.items()}


async def _names(fidelity: FidelityApi, history: dict[str, str], **filters: object) -> list[str]:
    names = {v: k for k, v in history.items()}
    page = await fidelity.get("/observations", "supervisor", **filters)
    assert page.status_code == 200, page.text
    return [names[o["id"]] for o in page.json()["items"]]


async def test_the_list_is_newest_meeting_first(
    fidelity: FidelityApi, history: dict[str, str]
) -> None:
    assert await _names(fidelity, history) == [
        "p3-apr",
        "p2-mar",
        "p1-mar",
        "p2-feb",
        "p1-feb",
        "p1-jan",
    ]


async def test_filters_narrow_the_list(fidelity: FidelityApi, history: dict[str, str]) -> None:
    assert await _names(fidelity, history, practitioner_id="p1") == ["p1-mar", "p1-feb", "p1-jan"]
    assert await _names(fidelity, history, observer_id="o2") == ["p2-mar", "p1-feb"]
    assert await _names(fidelity, history, instrument_key=TINY_KEY) == ["p3-apr", "p1-mar"]
    assert await _names(fidelity, history, instrument_key=TINY_KEY, instrument_version=2) == []
    assert await _names(fidelity, history, meeting_from="2025-02-05", meeting_to="2025-03-05") == [
        "p1-mar",
        "p2-feb",
        "p1-feb",
    ]
    assert await _names(
        fidelity, history, practitioner_id="p1", observer_id="o1", meeting_from="2025-02-01"
    ) == ["p1-mar"]


async def test_pages_follow_the_cursor_to_the_end(
    fidelity: FidelityApi, history: dict[str, str]
) -> None:
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        page = (await fidelity.get("/observations", limit=4, cursor=cursor)).json()
        seen += [o["id"] for o in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert pages == 2
    assert seen == [
        history[n] for n in ("p3-apr", "p2-mar", "p1-mar", "p2-feb", "p1-feb", "p1-jan")
    ]


async def test_a_page_is_stable_while_new_observations_arrive(
    fidelity: FidelityApi, history: dict[str, str]
) -> None:
    first = (await fidelity.get("/observations", limit=2)).json()
    await fidelity.record(observation(practitioner_id="p9", meeting_date=date(2025, 5, 1)))

    second = (await fidelity.get("/observations", limit=2, cursor=first["next_cursor"])).json()

    assert [o["id"] for o in second["items"]] == [history["p1-mar"], history["p2-feb"]]


async def test_bad_list_parameters_are_problems_not_errors(fidelity: FidelityApi) -> None:
    backwards = await fidelity.get(
        "/observations", meeting_from="2025-03-01", meeting_to="2025-01-01"
    )
    foreign = await fidelity.get("/observations", cursor="bm90LWEtY3Vyc29y")
    huge = await fidelity.get("/observations", limit=10_000)

    assert backwards.status_code == 422 and "swap them" in backwards.json()["detail"]
    assert foreign.status_code == 400 and "next_cursor" in foreign.json()["detail"]
    assert huge.status_code == 422


async def test_concurrent_retries_of_one_observation_store_it_once(fidelity: FidelityApi) -> None:
    body = observation()

    responses = await asyncio.gather(
        *(fidelity.post("/observations", body, "observer", "obs-1") for _ in range(4))
    )

    assert sorted(r.status_code for r in responses) == [200, 200, 200, 201]
    assert len({r.json()["recorded_at"] for r in responses}) == 1
    assert await fidelity.count("events") == 1
