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
    learning.set_clock(T0 + 2 * DAY)  # recorded before time lapses anything
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
    learning.set_clock(T0 + 2 * DAY)
    await learning.master("p-1", ("M1",))
    now = await lapse_moment(learning, "M1.C1") + DAY

    results = await asyncio.gather(*(learning.check_lapses(now) for _ in range(4)))

    assert sorted(len(found) for found in results) == [0, 0, 0, len(M1_CONCEPTS)]
    assert await learning.stored_events("concept_lapsed") == len(M1_CONCEPTS)


async def test_a_review_restores_a_lapsed_concept_and_its_next_lapse_is_announced_again(
    learning: LearningApi, nats_client
) -> None:
    learning.set_clock(T0 + 2 * DAY)
    await learning.master("p-1", ("M1",))
    lapses_at = await lapse_moment(learning, "M1.C1")
    await learning.check_lapses(lapses_at + HOUR)

    learning.set_clock(lapses_at + 2 * DAY + HOUR)
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
    learning.set_clock(T0 + 4 * DAY)
    await learning.master("p-1", ("M1",))
    review = await learning.review("p-1", "M1.C1", "again", T0 + 3 * DAY)

    assert review["restored"] is False
    assert await learning.stored_events("concept_restored") == 0


async def test_the_periodic_job_announces_what_time_alone_lapsed_once(
    settings_for: Callable[..., Any], agency_id: str, nats_client, roster: RosterAnnouncer
) -> None:
    settings = settings_for(LearningSettings, lapse_check_interval_seconds=0.1)
    app = create_service_app(settings)
    async with running(app) as client:
        roster.copies.append(runtime_of(app).pool)
        learning = LearningApi(client, settings, agency_id, app, roster)
        learning.set_clock(T0 + 2 * DAY)  # recorded while nothing had lapsed yet
        await learning.master("p-1", ("M1",))

        # the job runs at the real time, long after; a second of further runs would
        # show any repeated announcement
        events = await received_events(
            nats_client, learning.events_subject, count=3 + 5, settle=1.0
        )

    lapsed = [e for e in events if e.event_name == "concept_lapsed"]
    assert sorted(e.data["concept_id"] for e in lapsed) == sorted(M1_CONCEPTS)
    assert all(e.actor == f"{agency_id}/learning-lapse-check" for e in lapsed)


async def test_back_dated_history_shows_its_lapses_when_it_is_recorded_with_their_true_dates(
    learning: LearningApi, nats_client
) -> None:
    await learning.master("p-1", ("M1",))  # in 2025: lapsed long before today

    lapses_at = await lapse_moment(learning, "M1.C1")
    left_for_the_clock = await learning.check_lapses(datetime.now().astimezone())

    assert left_for_the_clock == []
    events = await received_events(nats_client, learning.events_subject, count=3 + 5)
    lapsed = [e for e in events if e.event_name == "concept_lapsed"]
    assert sorted(e.data["concept_id"] for e in lapsed) == sorted(M1_CONCEPTS)
    assert all(e.actor == f"{learning.agency_id}/admin-1" for e in lapsed)
    [m1c1] = [e for e in lapsed if e.data["concept_id"] == "M1.C1"]
    assert m1c1.time == lapses_at and m1c1.data["lapsed_on"] == lapses_at.date().isoformat()


async def test_a_late_review_in_time_withdraws_the_lapse_and_the_next_one_keeps_its_true_date(
    learning: LearningApi, nats_client
) -> None:
    await learning.master("p-1", ("M1",))
    first_lapse = await lapse_moment(learning, "M1.C1")

    await learning.review("p-1", "M1.C1", "good", T0 + 2 * DAY)  # in time, sent late
    next_lapse = await lapse_moment(learning, "M1.C1")

    events = await received_events(nats_client, learning.events_subject, count=3 + 5 + 3)
    tail = events[-3:]
    assert [e.event_name for e in tail] == [
        "concept_reviewed",
        "evidence_withdrawn",
        "concept_lapsed",
    ]
    [old] = [
        e for e in events if e.event_name == "concept_lapsed" and e.data["concept_id"] == "M1.C1"
    ][:1]
    assert tail[1].data["retracted_event_ids"] == [old.id]
    assert old.time == first_lapse
    assert tail[2].time == next_lapse > first_lapse
    assert await learning.check_lapses(datetime.now().astimezone()) == []


async def test_a_review_sent_before_its_mastery_counts_once_the_mastery_arrives(
    learning: LearningApi,
) -> None:
    learning.set_clock(T0 + 4 * DAY)
    await learning.enroll("p-1")
    early = await learning.review("p-1", "M1.C1", "good", T0 + 2 * DAY)
    await learning.attempt("p-1", "M1", 0.9, T0)

    cards = await learning.get(
        "/practitioners/p-1/due-reviews", as_of=T0 + 3 * DAY, include_strong="true"
    )

    assert early["next_due_at"] is None  # no mastery known when it was recorded
    [card] = [c for c in cards.json()["items"] if c["concept_id"] == "M1.C1"]
    assert card["last_review_at"] == (T0 + 2 * DAY).isoformat().replace("+00:00", "Z")
