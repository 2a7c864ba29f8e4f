"""An invalid observation is rejected whole: a 4xx problem naming what to fix, nothing stored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared.pagination import encode_cursor
from tests.fidelity.fidelity_builders import TEAM_MEETING_INDICATORS, observation, ratings
from tests.fidelity.fidelity_client import FidelityApi

ALL = ratings(TEAM_MEETING_INDICATORS)
TOMORROW = (datetime.now(UTC) + timedelta(days=2)).date()

INVALID: dict[str, tuple[dict[str, Any], int, str, str | None]] = {
    # case: (body, status, detail fragment, indicator named in the problem)
    "missing indicator": (
        observation(rated=[r for r in ALL if r["indicator_id"] != "TM.SAFE.1.b"]),
        422,
        "'TM.SAFE.1.b' has no rating",
        "TM.SAFE.1.b",
    ),
    "unknown indicator": (
        observation(rated=[*ALL, {"indicator_id": "TM.NOPE.9.z", "rating": "present"}]),
        422,
        "'TM.NOPE.9.z' is not in instrument team-meeting-observation@1",
        "TM.NOPE.9.z",
    ),
    "indicator rated twice": (
        observation(rated=[*ALL, {"indicator_id": "TM.ENG.2.a", "rating": "absent"}]),
        422,
        "'TM.ENG.2.a' is rated more than once",
        "TM.ENG.2.a",
    ),
    "rating not on the scale": (
        observation(rated=ratings(TEAM_MEETING_INDICATORS, TM_FVC_1_c="sometimes")),
        422,
        "rating 'sometimes' for indicator 'TM.FVC.1.c'",
        "TM.FVC.1.c",
    ),
    "everything not applicable": (
        observation(rated=[{**r, "rating": "not_applicable"} for r in ALL]),
        422,
        "nothing to score",
        None,
    ),
    "meeting in the future": (
        observation(meeting_date=TOMORROW),
        422,
        f"meeting_date: Value error, {TOMORROW.isoformat()} is in the future",
        None,
    ),
    "unknown instrument version": (
        observation(instrument_version=7),
        422,
        "has no version 7; the latest is 1",
        None,
    ),
    "unknown instrument": (
        observation(instrument_key="no-such-tool"),
        422,
        "instrument 'no-such-tool' does not exist",
        None,
    ),
    "observer observing themself": (
        observation(practitioner_id="obs-1"),
        422,
        "no one observes self",
        None,
    ),
    "co-observation of nothing": (
        observation(co_observation_of="5f0c2b8e-3c1d-4e55-8f7a-1b2c3d4e5f60"),
        422,
        "is not an observation of this agency",
        None,
    ),
    "no ratings at all": (observation(rated=[]), 422, "ratings", None),
    "not a date": ({**observation(), "meeting_date": "last tuesday"}, 422, "meeting_date", None),
}


@pytest.mark.parametrize(("body", "status", "detail", "indicator"), INVALID.values(), ids=INVALID)
async def test_an_invalid_observation_gets_a_problem_and_stores_nothing(
    fidelity: FidelityApi, body: dict[str, Any], status: int, detail: str, indicator: str | None
) -> None:
    response = await fidelity.post("/observations", body, "observer", "obs-1")

    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert detail in problem["detail"]
    assert problem["status"] == status
    if indicator is not None:
        assert problem["indicator_id"] == indicator
    assert await fidelity.count("events") == 0
    assert await fidelity.count("observations") == 0
    listed = await fidelity.get("/observations")
    assert listed.json()["items"] == []


async def test_a_domain_problem_type_names_the_rule_broken(fidelity: FidelityApi) -> None:
    missing = observation(rated=ALL[1:])

    problem = (await fidelity.post("/observations", missing, "observer", "obs-1")).json()

    assert problem["type"].endswith("/missing-rating")
    assert problem["title"] == "Invalid ratings"
    assert problem["instance"] == "/observations"


async def test_characters_a_database_cannot_hold_are_refused_at_the_edge(
    fidelity: FidelityApi,
) -> None:
    nul_setting = await fidelity.post(
        "/observations", observation(setting="home\x00"), "observer", "obs-1"
    )
    nul_filter = await fidelity.get("/observations", practitioner_id="p\x00")
    huge_version = await fidelity.post("/observations", observation(instrument_version=2**40))
    forged_cursor = await fidelity.get("/instruments", cursor=encode_cursor(["k\x00", 2**70]))

    assert [r.status_code for r in (nul_setting, nul_filter, huge_version, forged_cursor)] == [
        422,
        422,
        422,
        400,
    ]
    assert "setting" in nul_setting.json()["detail"]
    assert await fidelity.count("events") == 0
