"""The lapse check announces each lapse once, however often and however concurrently it runs."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from services.learning.bootstrap import create_service_app
from services.learning.config import LearningSettings
from shared.testing.apps import running, runtime_of
from shared.testing.jetstream import received_events
from shared.testing.roster import RosterAnnouncer
from tests.learning.api_builders import DAY, M1_CONCEPTS, T0
from tests.learning.learning_client import LearningApi

HOUR = timedelta(hours=1)


async def lapse_moment(learning: LearningApi, concept_id: str) -> datetime:
    """When the concept's card lapses if left unreviewed (from the due-reviews report)."""
    response = await learning.get(
        "/practitioners/p-1/due-reviews", as_of=datetime.now().astimezone(), include_strong="true"
    )
    [card] = [r for r in response.json()["items"] if r["concept_id"] == concept_id]
    return datetime.fromisoformat(card["lapses_at"])


async def test_concept_lapsed_is_emitted_once_across_checks_with_advancing_clocks(
    learning: LearningApi, nats_client
) -> None:
    await learning.master("p-1", ("M1",))
    lapses_at = await lapse_moment(learning, "M1.C1")

    before = await learning.check_lapses(lapses_at - HOUR)
    first = await learning.check_lapses(lapses_at + HOUR)
    later = [await learning.check_lapses(lapses_at + n * DAY) for n in (1, 7, 30, 365)]

    assert before == []
    assert sorted(lapse.concept_id for lapse in first) == sorted(M1_CONCEPTS)
    assert later == [[], [], [], []]
    events = await received_events(nats_client, learning.events_subject, count=3 + 5)
    lapsed = Counter(e.data["concept_id"] for e in events if e.event_name == "concept_lapsed")
    assert lapsed == Counter(M1_CONCEPTS)  # each concept once
    assert await learning.stored_events("concept_lapsed") == len(M1_CONCEPTS)


async def test_checks_running_at_the_same_time_announce_a_lapse_once(
    learning: LearningApi,
) -> None:
    await learning.master("p-1", ("M1",))
    now = await lapse_moment(learning, "M1.C1") + DAY

    results = await asyncio.gather(*(learning.check_lapses(now) for _ in range(4)))

    assert sorted(len(found) for found in results) == [0, 0, 0, len(M1_CONCEPTS)]
    assert await learning.stored_events("concept_lapsed") == len(M1_CONCEPTS)


async def test_a_review_restores_a_lapsed_concept_and_its_next_lapse_is_announced_again(
    learning: LearningApi, nats_client
) -> None:
    await learning.master("p-1", ("M1",))
    lapses_at = await lapse_moment(learning, "M1.C1")
    await learning.check_lapses(lapses_at + HOUR)

    review = await learning.review("p-1", "M1.C1", "good", lapses_at + 2 * DAY)
    quiet = await learning.check_lapses(lapses_at + 3 * DAY)
    next_lapse = await lapse_moment(learning, "M1.C1")
    second = await learning.check_lapses(next_lapse + HOUR)

    assert review["restored"] is True
    assert quiet == []  # the other concepts stay announced, M1.C1 is back
    assert [lapse.concept_id for lapse in second] == ["M1.C1"]
    events = await received_events(nats_client, learning.events_subject, count=3 + 5 + 2 + 1)
    [restored] = [e for e in events if e.event_name == "concept_restored"]
    assert restored.data == {
        "practitioner_id": "p-1",
        "concept_id": "M1.C1",
        "module_id": "M1",
        "restored_on": (lapses_at + 2 * DAY).date().isoformat(),
    }
    assert [e.event_name for e in events][-1] == "concept_lapsed"


async def test_a_review_before_any_lapse_restores_nothing(learning: LearningApi) -> None:
    await learning.master("p-1", ("M1",))
    review = await learning.review("p-1", "M1.C1", "again", T0 + 3 * DAY)

    assert review["restored"] is False
    assert await learning.stored_events("concept_restored") == 0


async def test_the_periodic_job_announces_lapses_of_back_dated_history_once(
    settings_for: Callable[..., Any], agency_id: str, nats_client, roster: RosterAnnouncer
) -> None:
    settings = settings_for(LearningSettings, lapse_check_interval_seconds=0.1)
    app = create_service_app(settings)
    async with running(app) as client:
        roster.copies.append(runtime_of(app).pool)
        learning = LearningApi(client, settings, agency_id, app, roster)
        await learning.master("p-1", ("M1",))  # in 2025: lapsed long before today

        # settle: a second of further job runs would show any repeated announcement
        events = await received_events(
            nats_client, learning.events_subject, count=3 + 5, settle=1.0
        )

    lapsed = [e for e in events if e.event_name == "concept_lapsed"]
    assert sorted(e.data["concept_id"] for e in lapsed) == sorted(M1_CONCEPTS)
    assert all(e.actor == f"{agency_id}/learning-lapse-check" for e in lapsed)
