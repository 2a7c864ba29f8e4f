"""Calibration is decided on practice dates when certification folds, not frozen when an
observation is written: an observer's calibration attempt recorded after the
observations it covers (an imported history) makes them count, and the state is the
one the calibration-first order gives. Calibration is per instrument family.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import asyncpg
import pytest

from services.certification.adapters import evidence_rows
from services.certification.domain.evidence import ObservationRecorded
from services.fidelity.domain.seed_coaching import COACHING_OBSERVATION
from tests.e2e.practitioner_evidence import (
    ADMIN,
    OBSERVER,
    CertificationView,
    ago,
    certification_view,
    expected_evidence_count,
)
from tests.e2e.test_certification_across_services import Agency, four_services
from tests.e2e.test_order_independence import (
    calibrate_observers,
    published_transitions,
    record_history,
    set_up,
    settled,
)
from tests.fidelity.fidelity_builders import TEAM_MEETING, observation, ratings


@pytest.fixture
async def agency(settings_for: Callable[..., Any], agency_id: str) -> AsyncIterator[Agency]:
    """The four services, no observer calibrated yet."""
    async with four_services(settings_for, agency_id) as running:
        yield running


async def view_when(
    agency: Agency, practitioner_id: str, done: Callable[[CertificationView], bool]
) -> CertificationView:
    """The practitioner's view once ``done`` holds (or as it is after 30 s)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 30
    view = await certification_view(agency, practitioner_id)
    while not done(view) and loop.time() < deadline:
        await asyncio.sleep(0.25)
        view = await certification_view(agency, practitioner_id)
    return view


def certified(view: CertificationView) -> bool:
    return '"status": "certified"' in view.state


async def granted_on_the_wire(agency: Agency, practitioner_id: str) -> bool:
    """Whether a grant of the practitioner has been published (waits up to 30 s)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 30
    while loop.time() < deadline:
        events = await published_transitions(agency, practitioner_id)
        if any('"to_status": "certified"' in event for event in events):
            return True
        await asyncio.sleep(0.25)
    return False


async def calibrated_by_instrument(agency: Agency, practitioner_id: str) -> dict[str, bool]:
    """What certification decides for each of the practitioner's observations, by
    instrument key (the adapter that assembles the fold's evidence)."""
    settings = agency.certification.settings
    conn = await asyncpg.connect(
        settings.database_dsn, server_settings={"search_path": f"{settings.db_schema},public"}
    )
    try:
        await conn.set_type_codec(
            "jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog"
        )
        evidence = await evidence_rows.evidence_set(
            conn, agency.certification.agency_id, practitioner_id
        )
    finally:
        await conn.close()
    return {
        item.instrument_key: item.observer_calibrated
        for item in evidence.values()
        if isinstance(item, ObservationRecorded)
    }


async def test_observations_recorded_before_an_earlier_dated_calibration_count_once_it_arrives(
    agency: Agency,
) -> None:
    await record_history(agency, "prac-observed-first", order=None)
    before = await settled(agency, "prac-observed-first", expected=None)
    assert len(before.evidence) == expected_evidence_count()
    assert not certified(before)
    assert "not calibrated" in before.state

    # the attempts are dated before both meetings, recorded after them
    await calibrate_observers(agency)
    after = await view_when(agency, "prac-observed-first", certified)

    assert certified(after)
    assert "not calibrated" not in after.state
    # the calibration's consumer re-evaluated the practitioner: the grant is published
    assert await granted_on_the_wire(agency, "prac-observed-first")
    # the other order: calibrated first, then the same history
    await record_history(agency, "prac-calibrated-first", order=None)
    other_order = await settled(agency, "prac-calibrated-first", expected=after)
    assert other_order == after

    response = await agency.certification.post("/projections/rebuild", {}, "admin", subject=ADMIN)
    assert response["events_replayed"] > 0
    assert await certification_view(agency, "prac-observed-first") == after
    assert await certification_view(agency, "prac-calibrated-first") == after


async def test_a_team_meeting_calibration_does_not_calibrate_coaching_tool_observations(
    agency: Agency,
) -> None:
    practitioner_id = "prac-two-tools"
    await set_up(agency, practitioner_id)
    for key, indicators in (
        (TEAM_MEETING, None),
        (COACHING_OBSERVATION.key, ratings(COACHING_OBSERVATION.indicator_ids())),
    ):
        body = observation(
            practitioner_id=practitioner_id,
            observer_id=OBSERVER,
            meeting_date=ago(20),
            instrument_key=key,
            rated=indicators,
        )
        await agency.fidelity.post("/observations", body, "observer", subject=OBSERVER)

    await calibrate_observers(agency)  # on the Team Meeting tool only, dated 100 days ago
    decided = await calibrated_by_instrument(agency, practitioner_id)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 30
    while decided != {TEAM_MEETING: True, COACHING_OBSERVATION.key: False}:
        if loop.time() > deadline:
            break
        await asyncio.sleep(0.25)
        decided = await calibrated_by_instrument(agency, practitioner_id)

    assert decided == {TEAM_MEETING: True, COACHING_OBSERVATION.key: False}
