"""Writes fold only new events onto a cached learner, and never trust a rolled-back one."""

from __future__ import annotations

import contextlib
from datetime import UTC, date, datetime

from services.learning.adapters.learner_stream import learner_stream_id
from services.learning.domain.events import registry
from services.learning.domain.learner import replay_learner
from services.learning.handlers import enroll_practitioner, record_attempt, record_review
from services.learning.handlers.context import LEARNING
from services.learning.models.commands import EnrollPractitioner, RecordAttempt, RecordReview
from shared.testing.apps import runtime_of
from tests.learning.learning_client import LearningApi


class Abandoned(Exception):
    """Raised to roll a transaction back."""


def attempt(score: float, day: int) -> RecordAttempt:
    return RecordAttempt(
        practitioner_id="p-cache",
        module_id="M1",
        scaled_score=score,
        attempted_at=datetime(2026, 3, day, 15, tzinfo=UTC),
    )


async def test_a_write_rolled_back_after_caching_its_learner_is_not_remembered(
    learning: LearningApi,
) -> None:
    await learning.roster.register("p-cache")
    runtime = runtime_of(learning.app)
    store, agency, actor = runtime.store, learning.agency_id, f"{learning.agency_id}/admin"
    async with store.transaction() as conn:
        enrollment = EnrollPractitioner(practitioner_id="p-cache", enrolled_on=date(2026, 3, 1))
        await enroll_practitioner(runtime, conn, agency, actor, enrollment)
        await record_attempt(runtime, conn, agency, actor, attempt(0.5, 2))

    with contextlib.suppress(Abandoned):
        async with store.transaction() as conn:
            mastering = await record_attempt(runtime, conn, agency, actor, attempt(0.95, 3))
            assert mastering.record.mastered_module  # cached: M1 mastered, in this transaction
            raise Abandoned

    # the cache still holds the abandoned tip; the next write must not build on it
    async with store.transaction() as conn:
        later = await record_attempt(runtime, conn, agency, actor, attempt(0.6, 4))
    assert later.record.mastered_module is False
    progress = (await learning.get("/practitioners/p-cache/progress")).json()
    [m1] = [m for m in progress["modules"] if m["module_id"] == "M1"]
    assert m1["mastered_at"] is None
    async with runtime.pool.acquire() as conn:
        names = [
            r["name"]
            for r in await conn.fetch(
                "SELECT name FROM events WHERE stream_id LIKE '%/p-cache' ORDER BY stream_version"
            )
        ]
    assert names == ["practitioner_enrolled", "assessment_attempted", "assessment_attempted"]


async def test_successive_writes_fold_onto_the_cached_learner_with_the_same_result(
    learning: LearningApi,
) -> None:
    await learning.roster.register("p-cache")
    runtime = runtime_of(learning.app)
    store, agency, actor = runtime.store, learning.agency_id, f"{learning.agency_id}/admin"
    async with store.transaction() as conn:
        enrollment = EnrollPractitioner(practitioner_id="p-cache", enrolled_on=date(2026, 3, 1))
        await enroll_practitioner(runtime, conn, agency, actor, enrollment)
    for day, score in ((2, 0.4), (3, 0.7), (4, 0.85), (5, 0.99)):
        async with store.transaction() as conn:
            result = await record_attempt(runtime, conn, agency, actor, attempt(score, day))
        assert result.record.mastered_module is (day == 4)
    LEARNING.of(runtime).folded._entries.clear()  # a cold fold of the whole stream agrees
    async with store.transaction() as conn:
        again = await record_attempt(runtime, conn, agency, actor, attempt(0.99, 6))
    assert again.record.mastered_module is False  # mastered once, on day 4
    progress = (await learning.get("/practitioners/p-cache/progress")).json()
    [m1] = [m for m in progress["modules"] if m["module_id"] == "M1"]
    assert m1["mastered_at"].startswith("2026-03-04")


async def test_a_write_caches_the_learner_it_wrote_as_a_fresh_fold_of_its_stream_gives_it(
    learning: LearningApi,
) -> None:
    await learning.roster.register("p-cache")
    runtime = runtime_of(learning.app)
    context = LEARNING.of(runtime)
    store, agency, actor = runtime.store, learning.agency_id, f"{learning.agency_id}/admin"
    async with store.transaction() as conn:
        enrollment = EnrollPractitioner(practitioner_id="p-cache", enrolled_on=date(2026, 3, 1))
        await enroll_practitioner(runtime, conn, agency, actor, enrollment)
    # a failure, a mastery, then an earlier mastery superseding it (with lapses since),
    # then reviews of a mastered concept (the last restoring its lapse)
    for day, score in ((2, 0.4), (4, 0.95), (3, 0.9)):
        async with store.transaction() as conn:
            await record_attempt(runtime, conn, agency, actor, attempt(score, day))
    for day in (6, 20):
        review = RecordReview(
            practitioner_id="p-cache",
            concept_id="M1.C1",
            rating="good",
            reviewed_at=datetime(2026, 4, day, 9, tzinfo=UTC),
        )
        async with store.transaction() as conn:
            await record_review(runtime, conn, agency, actor, review)

    stream_id = learner_stream_id(agency, "p-cache")
    cached = context.folded.get(stream_id)
    async with runtime.pool.acquire() as conn:
        stream = await store.read_stream(stream_id, conn)
    fresh = replay_learner(
        (registry.decode_stored(e) for e in stream), context.catalogs.get, context.review_policy
    )
    assert cached is not None and fresh is not None
    assert (cached.version, cached.tip_event_id) == (stream[-1].stream_version, stream[-1].event_id)
    names = [e.name for e in stream]
    assert "evidence_withdrawn" in names and names[-1] != "concept_reviewed"  # lapse events
    assert cached.state == fresh
