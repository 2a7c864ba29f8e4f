"""Observer calibration: gold standards, pass and fail, 12 months of validity, history."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from nats.aio.client import Client

from services.fidelity.bootstrap import create_service_app
from services.fidelity.config import FidelitySettings
from shared.testing.apps import running
from shared.testing.jetstream import received_events
from shared.testing.roster import RosterAnnouncer
from tests.fidelity.fidelity_builders import (
    TEAM_MEETING,
    TEAM_MEETING_INDICATORS,
    attempt,
    by_indicator,
    flipped,
    gold_standard,
    observation,
    reference,
)
from tests.fidelity.fidelity_client import FidelityApi

GOLD = gold_standard(TEAM_MEETING_INDICATORS)


def team_meeting(instruments: list[dict[str, Any]]) -> dict[str, Any]:
    [status] = [s for s in instruments if s["instrument_key"] == TEAM_MEETING]
    return status


async def _reference(fidelity: FidelityApi, meeting_date: date = date(2023, 1, 5)) -> str:
    response = await fidelity.post("/calibration/references", reference(meeting_date=meeting_date))
    assert response.status_code == 201, response.text
    reference_id: str = response.json()["id"]
    return reference_id


async def test_an_attempt_that_reaches_the_bar_calibrates_the_observer(
    fidelity: FidelityApi, nats_client: Client
) -> None:
    reference_id = await _reference(fidelity)

    response = await fidelity.post(
        "/calibration/attempts",
        attempt(reference_id, date(2023, 1, 10), flipped(GOLD, 3)),
        "observer",
        "obs-1",
    )

    result = response.json()
    assert response.status_code == 201
    assert result["passed"] is True and result["bar"] == 0.70
    assert 0.70 <= result["kappa"] < 1
    assert result["expires_on"] == "2024-01-10"
    [event] = await received_events(nats_client, fidelity.subject("observer_calibrated"), count=1)
    assert event.subject == "obs-1"
    assert event.data["kappa"] == result["kappa"]
    assert event.data["expires_on"] == "2024-01-10"
    assert event.data["attempted_on"] == "2023-01-10"


async def test_an_attempt_below_the_bar_fails_and_says_so_on_the_wire(
    fidelity: FidelityApi, nats_client: Client
) -> None:
    reference_id = await _reference(fidelity)

    response = await fidelity.post(
        "/calibration/attempts",
        attempt(reference_id, date(2023, 1, 10), flipped(GOLD, 20)),
        "observer",
        "obs-1",
    )

    assert response.json()["passed"] is False
    assert response.json()["kappa"] < 0.70
    assert response.json()["expires_on"] is None
    [event] = await received_events(
        nats_client, fidelity.subject("observer_calibration_failed"), count=1
    )
    assert event.data["observer_id"] == "obs-1" and event.data["bar"] == 0.70


async def test_the_calibration_bar_is_a_setting(
    settings_for: Callable[..., Any], agency_id: str, roster: RosterAnnouncer
) -> None:
    settings = settings_for(FidelitySettings, calibration_bar=0.99)
    app = create_service_app(settings)
    async with running(app) as client:
        api = FidelityApi(client, settings, agency_id, app, roster)
        reference_id = await _reference(api)
        response = await api.post(
            "/calibration/attempts",
            attempt(reference_id, date(2023, 1, 10), flipped(GOLD, 1)),
            "observer",
            "obs-1",
        )
    assert response.json()["bar"] == 0.99 and response.json()["passed"] is False


async def test_an_observation_after_twelve_months_is_marked_uncalibrated(
    fidelity: FidelityApi, nats_client: Client
) -> None:
    await fidelity.calibrate("obs-1", date(2023, 1, 10))

    last_day = await fidelity.record(observation(meeting_date=date(2024, 1, 9)))
    expired = await fidelity.record(observation(meeting_date=date(2024, 1, 10)))
    before = await fidelity.record(observation(meeting_date=date(2023, 1, 9)))

    assert last_day["observer_calibrated"] is True
    assert expired["observer_calibrated"] is False
    assert "expired on 2024-01-10" in expired["calibration_reason"]
    assert before["observer_calibrated"] is False
    events = await received_events(nats_client, fidelity.subject("observation_recorded"), count=3)
    flags = {e.data["meeting_date"]: e.data["observer_calibrated"] for e in events}
    assert flags == {"2024-01-09": True, "2024-01-10": False, "2023-01-09": False}


async def test_a_failed_attempt_does_not_cancel_a_pass_still_valid(fidelity: FidelityApi) -> None:
    await fidelity.calibrate("obs-1", date(2024, 1, 10))
    reference_id = await _reference(fidelity)
    failed = await fidelity.post(
        "/calibration/attempts",
        attempt(reference_id, date(2024, 6, 1), flipped(GOLD, 25)),
        "observer",
        "obs-1",
    )
    assert failed.json()["passed"] is False

    recorded = await fidelity.record(observation(meeting_date=date(2024, 7, 1)))

    assert recorded["observer_calibrated"] is True


async def test_the_history_and_the_status_on_any_date(fidelity: FidelityApi) -> None:
    reference_id = await _reference(fidelity)
    for day, rated in ((date(2023, 2, 1), flipped(GOLD, 25)), (date(2023, 3, 1), GOLD)):
        await fidelity.post(
            "/calibration/attempts", attempt(reference_id, day, rated), "observer", "obs-1"
        )

    history = (await fidelity.get("/observers/obs-1/calibration/attempts", "coach")).json()
    first_page = (await fidelity.get("/observers/obs-1/calibration/attempts", limit=1)).json()
    rest = await fidelity.get(
        "/observers/obs-1/calibration/attempts", limit=1, cursor=first_page["next_cursor"]
    )
    on = {
        day: (await fidelity.get("/observers/obs-1/calibration", on=day)).json()["instruments"]
        for day in ("2023-02-15", "2023-03-01", "2024-02-29", "2024-03-01")
    }

    assert [(a["attempted_on"], a["passed"]) for a in history["items"]] == [
        ("2023-03-01", True),
        ("2023-02-01", False),
    ]
    assert [a["attempted_on"] for a in first_page["items"] + rest.json()["items"]] == [
        "2023-03-01",
        "2023-02-01",
    ]
    assert {day: team_meeting(status)["calibrated"] for day, status in on.items()} == {
        "2023-02-15": False,
        "2023-03-01": True,
        "2024-02-29": True,
        "2024-03-01": False,
    }
    assert team_meeting(on["2023-03-01"])["expires_on"] == "2024-03-01"


async def test_only_admins_create_references_and_observers_never_see_the_gold(
    fidelity: FidelityApi,
) -> None:
    refused = await fidelity.post("/calibration/references", reference(), "observer", "obs-1")
    reference_id = await _reference(fidelity)

    as_observer = await fidelity.get(
        f"/calibration/references/{reference_id}/gold-standard", "observer", "obs-1"
    )
    as_auditor = await fidelity.get(
        f"/calibration/references/{reference_id}/gold-standard", "auditor"
    )
    listed = (await fidelity.get("/calibration/references", "observer", "obs-1")).json()

    assert refused.status_code == 403
    assert as_observer.status_code == 403
    assert by_indicator(as_auditor.json()["gold_ratings"]) == by_indicator(GOLD)
    assert [r["id"] for r in listed["items"]] == [reference_id]
    assert "gold_ratings" not in listed["items"][0]


async def test_invalid_calibration_input_is_refused_and_nothing_stored(
    fidelity: FidelityApi,
) -> None:
    reference_id = await _reference(fidelity, date(2023, 1, 5))
    stored_events = await fidelity.count("events")

    too_early = await fidelity.post(
        "/calibration/attempts", attempt(reference_id, date(2023, 1, 4), GOLD), "observer", "x"
    )
    incomplete = await fidelity.post(
        "/calibration/attempts", attempt(reference_id, date(2023, 1, 6), GOLD[1:]), "observer", "x"
    )
    unknown = await fidelity.post(
        "/calibration/attempts",
        attempt("0b7f3d5e-8a51-4c1a-9d7e-2f4a6b8c9d01", date(2023, 1, 6), GOLD),
        "observer",
        "x",
    )
    bad_gold = await fidelity.post("/calibration/references", reference(gold=GOLD[:-1]))

    assert too_early.status_code == 422 and "before the reference meeting" in too_early.text
    assert incomplete.status_code == 422
    assert incomplete.json()["indicator_id"] == TEAM_MEETING_INDICATORS[0]
    assert unknown.status_code == 422 and "not a reference meeting" in unknown.text
    assert bad_gold.status_code == 422
    assert await fidelity.count("events") == stored_events
    assert await fidelity.count("calibration_attempts") == 0
