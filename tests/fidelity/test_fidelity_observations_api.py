"""Recording observations: scored, published as CloudEvents, idempotent, agency-scoped."""

from __future__ import annotations

from datetime import date
from typing import Any

from nats.aio.client import Client

from services.fidelity.domain.seed_instruments import TEAM_MEETING_OBSERVATION
from shared.testing.jetstream import received_events
from tests.fidelity.fidelity_builders import (
    TEAM_MEETING_INDICATORS,
    TINY_KEY,
    observation,
    ratings,
    tiny_instrument,
)
from tests.fidelity.fidelity_client import FidelityApi


async def test_recording_publishes_an_observation_recorded_cloudevent(
    fidelity: FidelityApi, nats_client: Client
) -> None:
    await fidelity.calibrate("obs-1", date(2024, 12, 1))
    body = observation(
        rated=ratings(TEAM_MEETING_INDICATORS, TM_ENG_1_a="absent", TM_ENG_1_b="not_applicable")
    )

    recorded = await fidelity.record(body)

    [event] = await received_events(nats_client, fidelity.subject("observation_recorded"), count=1)
    assert event.type == "org.miiwrap.fidelity.observation_recorded.v1"
    assert event.source == "/miiwrap/fidelity"
    assert event.subject == "prac-1"
    assert event.agencyid == fidelity.agency_id
    assert event.time.date() == date(2025, 1, 6)
    assert event.actor == f"{fidelity.agency_id}/obs-1"
    data = event.data
    assert data["observation_id"] == body["id"] == recorded["id"]
    assert data["instrument_key"] == "team-meeting-observation"
    assert data["instrument_version"] == 1
    assert data["instrument_kind"] == "team_meeting"
    assert data["meeting_date"] == "2025-01-06"
    assert data["setting"] == "family home"
    assert data["observer_calibrated"] is True
    assert data["co_observation_of"] is None
    # TM.ENG.1 has 1 of 2 applicable present: 50 %; every other of the 20 items 100 %
    assert data["total"] == recorded["total"] == (19 * 100 + 50) / 20
    assert data["band"] == recorded["band"] == "high"
    assert data["domain_scores"]["TM.ENG"] == (50 + 100 + 100) / 3
    assert set(data["domain_scores"]) == {d.id for d in TEAM_MEETING_OBSERVATION.domains}


async def test_the_reply_carries_item_domain_and_total_scores(fidelity: FidelityApi) -> None:
    recorded = await fidelity.record(
        observation(rated=ratings(TEAM_MEETING_INDICATORS, TM_ENG_1_a="absent"))
    )

    item = next(i for i in recorded["item_scores"] if i["item_id"] == "TM.ENG.1")
    assert item == {
        "item_id": "TM.ENG.1",
        "domain_id": "TM.ENG",
        "present": 2,
        "applicable": 3,
        "score": 200 / 3,
    }
    engagement = next(d for d in recorded["domain_scores"] if d["domain_id"] == "TM.ENG")
    assert engagement["item_count"] == 3 and engagement["band"] == "high"
    assert len(recorded["ratings"]) == len(TEAM_MEETING_INDICATORS)
    assert recorded["observer_calibrated"] is False
    assert "no calibration attempt" in recorded["calibration_reason"]
    fetched = await fidelity.get(f"/observations/{recorded['id']}", "coach", "coach-1")
    assert fetched.json() == recorded


async def test_a_retry_with_the_same_id_and_content_returns_the_stored_observation(
    fidelity: FidelityApi,
) -> None:
    body = observation()
    first = await fidelity.record(body)
    reordered = {**body, "ratings": list(reversed(body["ratings"]))}

    again = await fidelity.post("/observations", reordered, "observer", "obs-1")

    assert again.status_code == 200
    assert again.json() == first
    assert await fidelity.count("events") == 1


async def test_the_same_id_with_different_content_is_a_conflict(fidelity: FidelityApi) -> None:
    body = observation()
    await fidelity.record(body)

    changed = await fidelity.post(
        "/observations", {**body, "setting": "school"}, "observer", "obs-1"
    )

    assert changed.status_code == 409
    assert changed.headers["content-type"] == "application/problem+json"
    assert "different content" in changed.json()["detail"]
    assert await fidelity.count("observations") == 1


async def test_another_agency_cannot_see_an_observation(fidelity: FidelityApi) -> None:
    recorded = await fidelity.record(observation())

    elsewhere = await fidelity.get(f"/observations/{recorded['id']}", agency="agency-other")
    listed = await fidelity.get("/observations", agency="agency-other")

    assert elsewhere.status_code == 404
    assert listed.json()["items"] == []


async def test_a_practitioner_reads_only_their_own_observations(fidelity: FidelityApi) -> None:
    own = await fidelity.record(observation(practitioner_id="prac-1"))
    other = await fidelity.record(observation(practitioner_id="prac-2"))

    listed = await fidelity.get("/observations", "practitioner", "prac-1")
    someone_else = await fidelity.get(f"/observations/{other['id']}", "practitioner", "prac-1")
    asked_for_other = await fidelity.get(
        "/observations", "practitioner", "prac-1", practitioner_id="prac-2"
    )

    assert [o["id"] for o in listed.json()["items"]] == [own["id"]]
    assert someone_else.status_code == 404
    assert asked_for_other.status_code == 403


async def test_an_observer_records_only_in_their_own_name(fidelity: FidelityApi) -> None:
    response = await fidelity.post(
        "/observations", observation(observer_id="obs-2"), "observer", "obs-1"
    )

    assert response.status_code == 403
    assert "only as yourself" in response.json()["detail"]
    assert await fidelity.count("observations") == 0


async def test_an_admin_may_import_observations_for_other_observers(fidelity: FidelityApi) -> None:
    response = await fidelity.post("/observations", observation(observer_id="obs-9"), "admin")

    assert response.status_code == 201
    assert response.json()["observer_id"] == "obs-9"
    assert response.json()["recorded_by"] == f"{fidelity.agency_id}/admin-1"


async def test_an_lms_partner_gets_nothing_from_the_fidelity_api(fidelity: FidelityApi) -> None:
    assert (await fidelity.get("/observations", "lms_partner")).status_code == 403
    assert (await fidelity.get("/instruments", "lms_partner")).status_code == 403
    recorded = await fidelity.post("/observations", observation(), "lms_partner", "obs-1")
    assert recorded.status_code == 403


async def test_a_late_entry_of_a_past_meeting_is_accepted(fidelity: FidelityApi) -> None:
    recorded = await fidelity.record(observation(meeting_date=date(2019, 5, 2)))

    assert recorded["meeting_date"] == "2019-05-02"


async def test_the_reply_lists_the_ratings_as_a_later_read_does_whatever_their_ids(
    fidelity: FidelityApi,
) -> None:
    # the reply is built from what was inserted, the read from the stored column (ids
    # that a `jsonb` column would reorder: it keeps keys shorter first, then bytewise)
    indicators = ["z.1", "B.2", "b.10", "a.100", "ab.1", "e", "B.1", "a.2", "zz", "A-1"]
    recorded = await _rated_on_one_item(fidelity, indicators)

    fetched = await fidelity.get(f"/observations/{recorded['id']}")
    assert fetched.json() == recorded
    assert {r["indicator_id"] for r in recorded["ratings"]} == set(indicators)


async def test_a_read_lists_the_ratings_in_the_instruments_order(fidelity: FidelityApi) -> None:
    # the ratings column keeps the JSON written (json, not jsonb: migration 0004), so the
    # ratings come back as rated, not reordered shorter id first
    indicators = ["z.1", "B.2", "b.10", "a.100", "ab.1", "e"]
    recorded = await _rated_on_one_item(fidelity, indicators)

    fetched = (await fidelity.get(f"/observations/{recorded['id']}")).json()
    assert [r["indicator_id"] for r in fetched["ratings"]] == indicators


async def _rated_on_one_item(fidelity: FidelityApi, indicators: list[str]) -> dict[str, Any]:
    """An observation on a published one-item instrument with these indicators, in order."""
    await fidelity.publish(
        tiny_instrument(
            domains=[
                {
                    "id": "TINY.D",
                    "title": "Everything",
                    "items": [
                        {
                            "id": "TINY.D.1",
                            "title": "The one item",
                            "principles": ["team_based"],
                            "indicators": [{"id": i, "text": f"Behaviour {i}"} for i in indicators],
                        }
                    ],
                }
            ]
        )
    )
    recorded = await fidelity.record(
        observation(instrument_key=TINY_KEY, rated=ratings(indicators, present=4))
    )
    return recorded
