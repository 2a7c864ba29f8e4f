"""Co-observation: two observers of one meeting, their kappa, and reliability reports."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from nats.aio.client import Client

from shared.testing.jetstream import received_events
from tests.fidelity.fidelity_builders import (
    TINY_INDICATORS,
    observation,
    pattern,
    tiny_instrument,
)
from tests.fidelity.fidelity_client import FidelityApi

# Hand-worked: the raters agree on 8 of 10 indicators (p_o = 0.8); each rates 6 present
# and 4 absent, so chance agreement p_e = (6·6 + 4·4) / 100 = 0.52 and
# kappa = (0.8 - 0.52) / (1 - 0.52) = 0.58333…
FIRST = "PPPPPPAAAA"
SECOND = "PPPPPAAAAP"
KAPPA = (0.8 - 0.52) / (1 - 0.52)


def _tiny(marks: str, **changes: Any) -> dict[str, Any]:
    return observation(
        instrument_key="tiny-meeting-tool", rated=pattern(TINY_INDICATORS, marks), **changes
    )


@pytest.fixture
async def tiny(fidelity: FidelityApi) -> FidelityApi:
    await fidelity.publish(tiny_instrument())
    return fidelity


async def test_a_second_observer_gets_percent_agreement_and_kappa(
    tiny: FidelityApi, nats_client: Client
) -> None:
    first = await tiny.record(_tiny(FIRST, observer_id="obs-a"))

    second = await tiny.record(_tiny(SECOND, observer_id="obs-b", co_observation_of=first["id"]))

    agreement = second["agreement"]
    assert second["co_observation_of"] == first["id"]
    assert agreement["percent_agreement"] == pytest.approx(80.0)
    assert agreement["expected_agreement"] == pytest.approx(0.52)
    assert agreement["kappa"] == pytest.approx(KAPPA)
    assert agreement["indicator_count"] == 10
    assert (agreement["first_observer_id"], agreement["second_observer_id"]) == ("obs-a", "obs-b")
    [event] = await received_events(nats_client, tiny.subject("co_observation_compared"), count=1)
    assert event.subject == "prac-1"
    assert event.data["kappa"] == pytest.approx(KAPPA)
    assert event.data["co_observation_of"] == first["id"]
    assert event.data["observation_id"] == second["id"]
    recorded = await received_events(nats_client, tiny.subject("observation_recorded"), count=2)
    assert recorded[1].data["co_observation_of"] == first["id"]


async def test_a_co_observation_must_be_of_the_same_meeting(tiny: FidelityApi) -> None:
    first = await tiny.record(_tiny(FIRST, observer_id="obs-a"))
    second = await tiny.record(_tiny(SECOND, observer_id="obs-b", co_observation_of=first["id"]))
    stored = await tiny.count("events")

    other_day = _tiny(
        SECOND, observer_id="obs-c", co_observation_of=first["id"], meeting_date=date(2025, 1, 7)
    )
    chained = _tiny(SECOND, observer_id="obs-c", co_observation_of=second["id"])
    same_observer = _tiny(SECOND, observer_id="obs-a", co_observation_of=first["id"])

    responses = [
        await tiny.post("/observations", body, "observer", body["observer_id"])
        for body in (other_day, chained, same_observer)
    ]

    assert [r.status_code for r in responses] == [422, 422, 409]
    assert "differs in meeting_date" in responses[0].json()["detail"]
    assert (
        f"link to the meeting's first observation, {first['id']}" in responses[1].json()["detail"]
    )
    assert "already scored this meeting" in responses[2].json()["detail"]
    assert await tiny.count("events") == stored


async def test_the_agency_reliability_report_pools_every_observer_pair(tiny: FidelityApi) -> None:
    meetings = [
        ("obs-a", "obs-b", FIRST, SECOND),  # kappa 0.583
        ("obs-a", "obs-b", FIRST, FIRST),  # kappa 1
        ("obs-b", "obs-c", "PPPPPPPAAA", "PPPPPPPAAA"),  # kappa 1
    ]
    for day, (one, two, marks_one, marks_two) in enumerate(meetings, start=1):
        first = await tiny.record(
            _tiny(marks_one, observer_id=one, meeting_date=date(2025, 2, day))
        )
        await tiny.record(
            _tiny(
                marks_two,
                observer_id=two,
                meeting_date=date(2025, 2, day),
                co_observation_of=first["id"],
            )
        )

    report = (await tiny.get("/reliability", "supervisor")).json()
    narrowed = (await tiny.get("/reliability", observer_id="obs-c")).json()
    pair = (await tiny.get("/reliability/observer-pairs/obs-b/obs-a", "auditor")).json()

    assert report["agency"]["meeting_count"] == 3
    assert report["agency"]["rating_count"] == 30
    assert report["agency"]["percent_agreement"] == pytest.approx(28 / 30 * 100)
    assert report["agency"]["mean_kappa"] == pytest.approx((KAPPA + 1 + 1) / 3)
    assert [p["observer_ids"] for p in report["observer_pairs"]] == [
        ["obs-a", "obs-b"],
        ["obs-b", "obs-c"],
    ]
    assert report["observer_pairs"][0]["summary"]["mean_kappa"] == pytest.approx((KAPPA + 1) / 2)
    assert [p["observer_ids"] for p in narrowed["observer_pairs"]] == [["obs-b", "obs-c"]]
    assert pair["observer_ids"] == ["obs-a", "obs-b"]
    assert [c["kappa"] for c in pair["comparisons"]] == [pytest.approx(KAPPA), 1.0]
    assert pair["summary"]["meeting_count"] == 2


async def test_a_report_with_nothing_co_observed_says_so(tiny: FidelityApi) -> None:
    report = await tiny.get("/reliability")
    pair = await tiny.get("/reliability/observer-pairs/obs-a/obs-b")

    assert report.json() == {"agency": None, "observer_pairs": []}
    assert pair.status_code == 404
    assert (await tiny.get("/reliability", "practitioner")).status_code == 403
