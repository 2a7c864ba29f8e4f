"""Historical paper observations (fidelity's `imported: true`) count or not, per policy."""

from __future__ import annotations

from datetime import date

from nats.aio.client import Client

from shared.testing.jetstream import received_events
from tests.certification.certification_client import CertificationApi
from tests.certification.policy_drafts import policy_json
from tests.certification.upstream import (
    COACH,
    GRANT_DAY,
    INDEPENDENT_OBSERVER,
    UpstreamHistory,
    publish,
)


def paper_history(agency_id: str) -> UpstreamHistory:
    """The canonical history, its two meeting observations entered from paper forms."""
    history = UpstreamHistory.certified_facilitator(agency_id, "pr-1")
    history.events = [e for e in history.events if e.event_name != "observation_recorded"]
    history.observed(date(2025, 10, 20), total=86, observer=COACH, imported=True)
    return history.observed(GRANT_DAY, total=83, observer=INDEPENDENT_OBSERVER, imported=True)


async def test_paper_observations_count_by_default_and_not_under_a_policy_that_refuses_them(
    certification: CertificationApi, nats_client: Client
) -> None:
    await certification.register("pr-1")
    sent = await publish(
        nats_client,
        certification.settings.subject_root,
        paper_history(certification.agency_id).events,
    )
    await certification.wait_consumed(sent)
    assert await certification.status("pr-1") == "certified"  # the seed counts paper

    strict = policy_json(2)
    strict["observations"] = {"count_imported_paper": False}
    assert (await certification.post("/policies", strict)).status_code == 201
    adopted = await certification.post(
        "/policies/adoptions", {"policy_id": "miiwrap-default", "policy_version": 2}
    )
    assert adopted.status_code == 201, adopted.text

    state = await certification.state("pr-1")
    facilitator = state["levels"][0]
    assert facilitator["status"] == "in_progress"
    observations = next(
        r for r in facilitator["requirements"] if r["requirement"] == "qualifying_observations"
    )
    assert "imported from a paper form, which this policy does not count" in observations["reason"]
    subject = f"{certification.settings.subject_root}.certification.{certification.agency_id}.>"
    events = await received_events(nats_client, subject, count=3)
    lapsed = events[-1]
    assert (lapsed.event_name, lapsed.data["correction"]) == ("certification_lapsed", True)
    assert lapsed.data["policy_version"] == 2
