"""Historical paper observations: imported with domain and total scores, no ratings."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from nats.aio.client import Client

from shared.testing.imports import finished_report, invalid_lines, ndjson, post_import
from shared.testing.jetstream import received_events
from tests.fidelity.fidelity_builders import TEAM_MEETING, observation
from tests.fidelity.fidelity_client import FidelityApi


def paper(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "paper_observation",
        "id": str(uuid.uuid4()),
        "instrument_key": TEAM_MEETING,
        "instrument_version": 1,
        "practitioner_id": "prac-paper",
        "observer_id": "obs-paper",
        "meeting_date": "2023-05-02",
        "setting": "family home",
        "domain_scores": [
            {"domain_id": "TM.ENG", "score": 90.0},
            {"domain_id": "TM.SAFE", "score": 70.0},
        ],
        "total": 78.5,
    }
    body.update(changes)
    return body


async def test_a_paper_observation_is_stored_marked_imported_with_its_scores(
    fidelity: FidelityApi, nats_client: Client
) -> None:
    await fidelity.roster.ensure("prac-paper")
    line = paper()
    response = await post_import(fidelity.client, fidelity.headers(), ndjson([line]))
    report = await finished_report(fidelity.client, fidelity.headers(), response.json()["id"])

    assert (report["status"], report["stored"], report["invalid"]) == ("completed", 1, 0)
    stored = (await fidelity.get(f"/observations/{line['id']}")).json()
    assert stored["imported"] is True and stored["source"] == "paper"
    assert stored["total"] == 78.5 and stored["band"] == "adequate"
    assert {(d["domain_id"], d["score"], d["band"]) for d in stored["domain_scores"]} == {
        ("TM.ENG", 90.0, "high"),
        ("TM.SAFE", 70.0, "borderline"),
    }
    assert stored["ratings"] == [] and stored["item_scores"] == []
    [event] = await received_events(nats_client, fidelity.subject("observation_recorded"), count=1)
    assert event.data["imported"] is True and event.data["source"] == "paper"
    assert event.data["ratings"] == {}
    assert event.data["domain_scores"] == {"TM.ENG": 90.0, "TM.SAFE": 70.0}
    assert event.time.date() == date(2023, 5, 2)


async def test_a_live_observation_is_marked_as_observed_not_imported(
    fidelity: FidelityApi, nats_client: Client
) -> None:
    recorded = await fidelity.record(observation())

    assert recorded["imported"] is False and recorded["source"] == "observed"
    [event] = await received_events(nats_client, fidelity.subject("observation_recorded"), count=1)
    assert event.data["imported"] is False and event.data["source"] == "observed"


async def test_refuses_paper_lines_with_ratings_unknown_domains_or_out_of_range_scores(
    fidelity: FidelityApi,
) -> None:
    await fidelity.roster.ensure("prac-paper")
    lines = [
        paper(ratings=[{"indicator_id": "TM.ENG.1.a", "rating": "present"}]),
        paper(domain_scores=[{"domain_id": "TM.NOPE", "score": 50}]),
        paper(total=101),
        paper(
            domain_scores=[
                {"domain_id": "TM.ENG", "score": 50},
                {"domain_id": "TM.ENG", "score": 60},
            ]
        ),
    ]
    response = await post_import(fidelity.client, fidelity.headers(), ndjson(lines), dry_run=True)

    assert response.json()["invalid"] == 4
    errors = await invalid_lines(fidelity.client, fidelity.headers(), response.json()["id"])
    details = [e["problem"]["detail"] for e in errors]
    assert "ratings" in details[0]
    assert "TM.NOPE" in details[1] and "TM.ENG" in details[1]
    assert "total" in details[2]
    assert "more than once" in details[3]
    assert await fidelity.count("observations") == 0


async def test_a_co_observation_of_a_paper_record_is_refused(fidelity: FidelityApi) -> None:
    await fidelity.roster.ensure("prac-paper")
    line = paper()
    response = await post_import(fidelity.client, fidelity.headers(), ndjson([line]))
    await finished_report(fidelity.client, fidelity.headers(), response.json()["id"])

    second = observation(
        practitioner_id="prac-paper",
        observer_id="obs-2",
        meeting_date=date(2023, 5, 2),
        co_observation_of=line["id"],
    )
    refused = await fidelity.post("/observations", second, "observer", "obs-2")

    assert refused.status_code == 422
    assert "paper record" in refused.json()["detail"]


async def test_a_paper_observation_of_someone_not_on_the_roster_is_refused(
    fidelity: FidelityApi,
) -> None:
    response = await post_import(
        fidelity.client, fidelity.headers(), ndjson([paper(practitioner_id="prac-nobody")])
    )
    report = await finished_report(fidelity.client, fidelity.headers(), response.json()["id"])

    [error] = await invalid_lines(fidelity.client, fidelity.headers(), report["id"])
    assert error["problem"]["type"].endswith("/not-on-roster")
    assert await fidelity.count("observations") == 0
