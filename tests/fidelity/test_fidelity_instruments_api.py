"""Instruments as versioned data: seeds for every agency, agency versions, immutability."""

from __future__ import annotations

from nats.aio.client import Client

from shared.testing.jetstream import received_events
from tests.fidelity.fidelity_builders import (
    TEAM_MEETING,
    TEAM_MEETING_INDICATORS,
    TINY_INDICATORS,
    TINY_KEY,
    observation,
    ratings,
    tiny_instrument,
    tiny_observation,
)
from tests.fidelity.fidelity_client import FidelityApi


async def test_every_agency_sees_the_two_seed_instruments(fidelity: FidelityApi) -> None:
    for agency in (fidelity.agency_id, "agency-somewhere-else"):
        listed = (await fidelity.get("/instruments", "observer", agency=agency)).json()
        assert [(i["key"], i["version"], i["scope"]) for i in listed["items"]] == [
            ("coaching-observation", 1, "global"),
            ("team-meeting-observation", 1, "global"),
        ]
    tool = (await fidelity.get(f"/instruments/{TEAM_MEETING}/versions/1", "practitioner")).json()
    assert tool["kind"] == "team_meeting" and tool["indicator_count"] == 53
    assert tool["domains"][0]["items"][0]["indicators"][0]["id"] == "TM.ENG.1.a"


async def test_an_admin_publishes_a_new_version_for_their_agency_only(
    fidelity: FidelityApi, nats_client: Client
) -> None:
    await fidelity.publish(tiny_instrument())
    version_2 = tiny_instrument(version=2, title="Tiny meeting tool, revised")

    published = await fidelity.publish(version_2)

    assert published["scope"] == "agency" and published["version"] == 2
    latest = (await fidelity.get(f"/instruments/{TINY_KEY}", "coach")).json()
    assert latest["title"] == "Tiny meeting tool, revised"
    elsewhere = await fidelity.get(f"/instruments/{TINY_KEY}", agency="agency-somewhere-else")
    assert elsewhere.status_code == 404
    events = await received_events(nats_client, fidelity.subject("instrument_published"), count=2)
    assert [e.data["instrument_version"] for e in events] == [1, 2]
    assert events[1].data["indicator_count"] == 10
    assert events[1].data["definition"]["title"] == "Tiny meeting tool, revised"


async def test_an_agency_can_publish_its_own_version_of_a_seed_instrument(
    fidelity: FidelityApi,
) -> None:
    seed = (await fidelity.get(f"/instruments/{TEAM_MEETING}/versions/1")).json()
    revised = {k: seed[k] for k in ("key", "title", "kind", "domains")} | {"version": 2}
    revised["domains"] = revised["domains"][:6]  # drops the outcomes domain

    await fidelity.publish(revised)

    keys = (await fidelity.get("/instruments", key=TEAM_MEETING)).json()["items"]
    assert [(i["version"], i["scope"]) for i in keys] == [(1, "global"), (2, "agency")]


async def test_publishing_a_new_version_never_changes_observations_on_the_old_one(
    fidelity: FidelityApi,
) -> None:
    await fidelity.publish(tiny_instrument())
    scored = await fidelity.record(tiny_observation(7))
    harder = tiny_instrument(version=2)
    harder["domains"][0]["items"][0]["indicators"] = [
        {"id": i, "text": f"Stricter {i}"} for i in TINY_INDICATORS[:5]
    ]

    await fidelity.publish(harder)

    again = (await fidelity.get(f"/observations/{scored['id']}")).json()
    assert again == scored
    assert again["instrument_version"] == 1 and again["total"] == 70
    old = (await fidelity.get(f"/instruments/{TINY_KEY}/versions/1")).json()
    assert len(old["domains"][0]["items"][0]["indicators"]) == 10
    on_v2 = await fidelity.record(
        observation(
            instrument_key=TINY_KEY, instrument_version=2, rated=ratings(TINY_INDICATORS[:5])
        )
    )
    assert on_v2["total"] == 100


async def test_republishing_the_same_version_is_safe_and_changing_it_is_a_conflict(
    fidelity: FidelityApi,
) -> None:
    await fidelity.publish(tiny_instrument())

    same = await fidelity.post("/instruments", tiny_instrument())
    changed = await fidelity.post("/instruments", tiny_instrument(title="Another title"))
    seed_again = await fidelity.post("/instruments", tiny_instrument(key=TEAM_MEETING))

    assert same.status_code == 200
    assert changed.status_code == 409
    assert seed_again.status_code == 409
    assert await fidelity.count("events") == 1


async def test_a_version_must_move_forward_and_keep_its_kind(fidelity: FidelityApi) -> None:
    await fidelity.publish(tiny_instrument(version=3))

    older = await fidelity.post("/instruments", tiny_instrument(version=2))
    other_kind = await fidelity.post("/instruments", tiny_instrument(version=4, kind="coaching"))

    assert older.status_code == 409
    assert "publish version 4 or later" in older.json()["detail"]
    assert other_kind.status_code == 422
    assert "cannot change its kind" in other_kind.json()["detail"]


async def test_an_invalid_definition_is_refused_naming_the_element(fidelity: FidelityApi) -> None:
    duplicated = tiny_instrument()
    indicators = duplicated["domains"][0]["items"][0]["indicators"]
    indicators.append({"id": "TINY.D.1.a", "text": "Said twice"})

    response = await fidelity.post("/instruments", duplicated)

    assert response.status_code == 422
    assert response.json()["element_id"] == "TINY.D.1.a"
    assert "used more than once" in response.json()["detail"]
    assert await fidelity.count("events") == 0


async def test_only_an_admin_publishes(fidelity: FidelityApi) -> None:
    for role in ("observer", "coach", "supervisor", "auditor"):
        response = await fidelity.post("/instruments", tiny_instrument(), role)
        assert response.status_code == 403, role
    assert await fidelity.count("events") == 0


async def test_the_instrument_list_pages_with_a_cursor(fidelity: FidelityApi) -> None:
    for version in (1, 2, 3):
        await fidelity.publish(tiny_instrument(version=version))

    first = (await fidelity.get("/instruments", limit=2)).json()
    second = (await fidelity.get("/instruments", limit=2, cursor=first["next_cursor"])).json()
    third = (await fidelity.get("/instruments", limit=2, cursor=second["next_cursor"])).json()

    seen = [(i["key"], i["version"]) for i in first["items"] + second["items"] + third["items"]]
    assert seen == [
        ("coaching-observation", 1),
        (TEAM_MEETING, 1),
        (TINY_KEY, 1),
        (TINY_KEY, 2),
        (TINY_KEY, 3),
    ]
    assert third["next_cursor"] is None


async def test_an_observation_on_the_seed_tool_needs_no_agency_setup(fidelity: FidelityApi) -> None:
    recorded = await fidelity.record(observation(rated=ratings(TEAM_MEETING_INDICATORS)))

    assert recorded["total"] == 100 and recorded["band"] == "high"


async def test_a_version_refused_as_unknown_is_observed_once_it_is_published(
    fidelity: FidelityApi,
) -> None:
    early = tiny_observation(7)
    refused = await fidelity.post("/observations", early, "observer", early["observer_id"])

    await fidelity.publish(tiny_instrument())

    recorded = await fidelity.record(tiny_observation(7))
    assert refused.status_code == 422 and "does not exist" in refused.json()["detail"]
    assert (recorded["instrument_key"], recorded["instrument_version"]) == (TINY_KEY, 1)
    assert recorded["total"] == 70
