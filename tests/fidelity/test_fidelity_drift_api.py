"""Drift: a scripted run of observations raises each drift signal exactly once."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from nats.aio.client import Client

from shared.testing.jetstream import received_events
from tests.fidelity.fidelity_builders import (
    TINY_DOMAIN,
    TINY_INDICATORS,
    TINY_KEY,
    tiny_instrument,
    tiny_observation,
)
from tests.fidelity.fidelity_client import FidelityApi

START = date(2025, 1, 1)


@pytest.fixture
async def calibrated(fidelity: FidelityApi) -> FidelityApi:
    await fidelity.publish(tiny_instrument())
    await fidelity.calibrate("obs-1", date(2024, 12, 1), TINY_KEY, TINY_INDICATORS)
    return fidelity


async def _observe(api: FidelityApi, day: int, present: int, **changes: Any) -> dict[str, Any]:
    return await api.record(
        tiny_observation(present, meeting_date=START + timedelta(days=day), **changes)
    )


async def _signals(api: FidelityApi) -> list[tuple[str, str | None, str]]:
    """(kind, domain, observation) of every stored signal, in a stable order."""
    page = (await api.get("/drift-signals", "coach", practitioner_id="prac-1")).json()
    found = [(s["kind"], s["domain_id"], s["observation_id"]) for s in page["items"]]
    return sorted(found, key=_order)


def _order(signal: tuple[str, str | None, str]) -> tuple[str, str, str]:
    kind, domain_id, observation_id = signal
    return (kind, domain_id or "", observation_id)


async def test_drift_is_signalled_exactly_when_it_happens_and_never_again(
    calibrated: FidelityApi, nats_client: Client
) -> None:
    api = calibrated
    # totals 90, 90, 90: steady, high
    for day in (1, 2, 3):
        await _observe(api, day, 9)
    assert await _signals(api) == []

    # 60: the rolling mean (90, 90, 60) = 80 falls from high to adequate
    drop = await _observe(api, 4, 6)
    assert await _signals(api) == sorted(
        [("band_drop", None, drop["id"]), ("band_drop", TINY_DOMAIN, drop["id"])], key=_order
    )

    # 90, 80: no new band, no trend; an uncalibrated observer's 10 % does not count
    await _observe(api, 5, 9)
    await _observe(api, 6, 8)
    ignored = await _observe(api, 6, 1, observer_id="obs-uncalibrated")
    assert ignored["observer_calibrated"] is False
    assert len(await _signals(api)) == 2

    # 70: 90 → 80 → 70 falls 20 points: a downward trend begins
    trend = await _observe(api, 7, 7)
    # 60: the trend goes on (no second trend signal) and the rolling band drops again
    again = await _observe(api, 8, 6)
    assert await _signals(api) == sorted(
        [
            ("band_drop", None, drop["id"]),
            ("band_drop", TINY_DOMAIN, drop["id"]),
            ("downward_trend", None, trend["id"]),
            ("downward_trend", TINY_DOMAIN, trend["id"]),
            ("band_drop", None, again["id"]),
            ("band_drop", TINY_DOMAIN, again["id"]),
        ],
        key=_order,
    )

    # a retried request changes nothing
    retry = await api.post(
        "/observations",
        {**tiny_observation(6), "id": again["id"], "meeting_date": again["meeting_date"]},
        "observer",
        "obs-1",
    )
    assert retry.status_code == 200

    events = await received_events(
        nats_client, api.subject("fidelity_drift_detected"), count=6, settle=0.5
    )
    assert len(events) == 6
    totals = [e.data for e in events if e.data["domain_id"] is None]
    assert [(d["kind"], d["observation_id"]) for d in totals] == [
        ("band_drop", drop["id"]),
        ("downward_trend", trend["id"]),
        ("band_drop", again["id"]),
    ]
    assert (totals[0]["from_band"], totals[0]["to_band"]) == ("high", "adequate")
    assert totals[1]["drop"] == pytest.approx(20)
    assert totals[2]["to_band"] == "borderline"
    assert events[0].subject == "prac-1"
    assert events[0].time.date() == date(2025, 1, 5)
    assert {e.id for e in events} == {e.data["drift_id"] for e in events}


async def test_the_trend_endpoint_returns_the_series_a_coach_charts(
    calibrated: FidelityApi,
) -> None:
    api = calibrated
    ids = [(await _observe(api, day, present))["id"] for day, present in ((1, 9), (2, 8), (3, 4))]
    await _observe(api, 3, 1, observer_id="obs-uncalibrated")

    trend = (
        await api.get("/practitioners/prac-1/fidelity-trend", "coach", instrument_key=TINY_KEY)
    ).json()
    own = await api.get(
        "/practitioners/prac-1/fidelity-trend", "practitioner", "prac-1", instrument_key=TINY_KEY
    )
    other = await api.get("/practitioners/prac-1/fidelity-trend", "practitioner", "prac-2")

    assert [p["observation_id"] for p in trend["points"]] == ids
    assert [p["total"] for p in trend["points"]] == [90, 80, 40]
    assert [p["rolling_total"] for p in trend["points"]] == [90, 85, 70]
    assert [p["rolling_band"] for p in trend["points"]] == ["high", "adequate", "borderline"]
    assert trend["points"][2]["window"] == ids
    assert trend["points"][2]["domains"] == [
        {"domain_id": TINY_DOMAIN, "score": 40, "rolling": 70, "rolling_band": "borderline"}
    ]
    assert trend["window"] == 3
    assert {(s["kind"], s["domain_id"]) for s in trend["drift_signals"]} == {
        ("band_drop", None),
        ("band_drop", TINY_DOMAIN),
        ("downward_trend", None),
        ("downward_trend", TINY_DOMAIN),
    }
    assert own.status_code == 200
    assert other.status_code == 403


async def test_a_back_dated_observation_is_weighed_in_practice_date_order(
    calibrated: FidelityApi,
) -> None:
    api = calibrated
    await _observe(api, 1, 9)
    await _observe(api, 3, 9)
    await _observe(api, 4, 9)

    late_entry = await _observe(api, 2, 3)  # the meeting of day 2, entered last

    trend = (await api.get("/practitioners/prac-1/fidelity-trend", instrument_key=TINY_KEY)).json()
    assert [p["total"] for p in trend["points"]] == [90, 30, 90, 90]
    assert ("band_drop", None, late_entry["id"]) in await _signals(api)


async def test_drift_signals_list_filters_and_pages(calibrated: FidelityApi) -> None:
    api = calibrated
    for day, present in ((1, 9), (2, 8), (3, 7)):
        await _observe(api, day, present)

    first = (await api.get("/drift-signals", limit=1, kind="downward_trend")).json()
    second = (
        await api.get("/drift-signals", limit=1, kind="downward_trend", cursor=first["next_cursor"])
    ).json()
    none = (await api.get("/drift-signals", practitioner_id="prac-9")).json()

    one = first["items"][0]
    fetched = await api.get(f"/drift-signals/{one['id']}", "practitioner", "prac-1")
    hidden = await api.get(f"/drift-signals/{one['id']}", "practitioner", "prac-2")
    assert fetched.json() == one
    assert hidden.status_code == 404
    kinds = {(s["kind"], s["domain_id"]) for s in first["items"] + second["items"]}
    assert kinds == {("downward_trend", None), ("downward_trend", TINY_DOMAIN)}
    assert second["next_cursor"] is None
    assert none["items"] == []
