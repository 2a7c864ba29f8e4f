"""Calibration is per instrument family: a pass on one instrument's reference calibrates
the observer on every version of that instrument, and on no other."""

from __future__ import annotations

from datetime import date

from services.fidelity.domain.seed_instruments import COACHING_OBSERVATION
from tests.fidelity.fidelity_builders import (
    TEAM_MEETING,
    TINY_INDICATORS,
    TINY_KEY,
    observation,
    ratings,
    tiny_instrument,
    tiny_observation,
)
from tests.fidelity.fidelity_client import FidelityApi

COACHING = COACHING_OBSERVATION.key
CALIBRATED_ON = date(2024, 1, 10)


def coaching_observation() -> dict[str, object]:
    return observation(
        instrument_key=COACHING,
        meeting_date=date(2024, 3, 1),
        rated=ratings(COACHING_OBSERVATION.indicator_ids()),
    )


async def test_a_team_meeting_calibration_does_not_count_for_coaching_observations(
    fidelity: FidelityApi,
) -> None:
    await fidelity.calibrate("obs-1", CALIBRATED_ON)

    team = await fidelity.record(observation(meeting_date=date(2024, 3, 1)))
    coaching = await fidelity.record(coaching_observation())

    assert team["observer_calibrated"] is True
    assert coaching["observer_calibrated"] is False
    assert f"no calibration attempt on {COACHING}" in coaching["calibration_reason"]


async def test_a_calibration_on_the_coaching_tool_counts_for_it(fidelity: FidelityApi) -> None:
    await fidelity.calibrate("obs-1", CALIBRATED_ON, COACHING, COACHING_OBSERVATION.indicator_ids())

    coaching = await fidelity.record(coaching_observation())
    team = await fidelity.record(observation(meeting_date=date(2024, 3, 1)))

    assert (coaching["observer_calibrated"], team["observer_calibrated"]) == (True, False)


async def test_a_calibration_on_one_version_counts_for_the_next_version(
    fidelity: FidelityApi,
) -> None:
    await fidelity.publish(tiny_instrument(version=1))
    await fidelity.calibrate("obs-1", CALIBRATED_ON, TINY_KEY, TINY_INDICATORS)
    await fidelity.publish(tiny_instrument(version=2, title="Tiny meeting tool, revised"))

    on_v2 = await fidelity.record(
        tiny_observation(7, instrument_version=2, meeting_date=date(2024, 3, 1))
    )

    assert on_v2["observer_calibrated"] is True


async def test_the_observer_status_shows_each_instrument_with_its_expiry(
    fidelity: FidelityApi,
) -> None:
    await fidelity.calibrate("obs-1", CALIBRATED_ON)

    response = await fidelity.get("/observers/obs-1/calibration", on="2024-03-01")
    only_coaching = await fidelity.get(
        "/observers/obs-1/calibration", on="2024-03-01", instrument_key=COACHING
    )
    unknown = await fidelity.get(
        "/observers/obs-1/calibration", on="2024-03-01", instrument_key="no-such-tool"
    )

    by_key = {s["instrument_key"]: s for s in response.json()["instruments"]}
    assert set(by_key) == {TEAM_MEETING, COACHING}
    assert (by_key[TEAM_MEETING]["calibrated"], by_key[TEAM_MEETING]["expires_on"]) == (
        True,
        "2025-01-10",
    )
    assert (by_key[COACHING]["calibrated"], by_key[COACHING]["expires_on"]) == (False, None)
    assert [s["instrument_key"] for s in only_coaching.json()["instruments"]] == [COACHING]
    assert unknown.status_code == 404
    assert "no-such-tool" in unknown.json()["detail"]
