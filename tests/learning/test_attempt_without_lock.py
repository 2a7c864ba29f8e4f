"""A usual attempt is stored without the learner's lock, in two statements that each
commit by themselves; a stream that moved meanwhile, or a mastery, is written again
under the lock, with the same answers as before."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import pytest

from services.learning.adapters import learner_stream
from services.learning.handlers import attempts, record_attempt
from services.learning.handlers.recorded import LockNeeded
from services.learning.models.commands import RecordAttempt
from shared.database import Connection
from shared.events import PendingEvent, StoredEvent
from shared.projected import Projected
from shared.testing.apps import runtime_of
from tests.learning.api_builders import DAY, T0, an_attempt
from tests.learning.learning_client import LearningApi


@contextmanager
def statements_of(conn: Connection) -> Iterator[list[str]]:
    """The statements `conn` sends meanwhile, as asyncpg logs them (first words)."""
    sent: list[str] = []

    def logged(query: Any) -> None:
        sent.append(" ".join(query.query.split())[:24])

    conn.add_query_logger(logged)
    try:
        yield sent
    finally:
        conn.remove_query_logger(logged)


def attempt(practitioner_id: str, score: float, days_after: int) -> RecordAttempt:
    return RecordAttempt(
        id=uuid.uuid4(),
        practitioner_id=practitioner_id,
        module_id="M1",
        scaled_score=score,
        attempted_at=T0 + days_after * DAY,
    )


async def stream_names(learning: LearningApi, practitioner_id: str) -> list[tuple[int, str]]:
    async with runtime_of(learning.app).pool.acquire() as conn:
        rows = await conn.fetch(
            "SELECT stream_version, name FROM events WHERE stream_id = $1 ORDER BY stream_version",
            learner_stream.learner_stream_id(learning.agency_id, practitioner_id),
        )
    return [(row["stream_version"], row["name"]) for row in rows]


async def test_a_usual_attempt_is_read_and_stored_in_two_statements_without_a_transaction(
    learning: LearningApi,
) -> None:
    await learning.enroll("p-alone")
    runtime = runtime_of(learning.app)
    agency, actor = learning.agency_id, f"{learning.agency_id}/admin"
    async with runtime.pool.acquire() as conn:
        with statements_of(conn) as sent:
            recorded = await record_attempt(
                runtime,
                conn,
                agency,
                actor,
                attempt("p-alone", 0.5, 0),
                look_first=False,
                alone=True,
            )
        assert not conn.is_in_transaction()

    assert recorded.created and recorded.record.mastered_module is False
    assert [s.split()[0] for s in sent] == ["SELECT", "WITH"]  # the stream read, the append
    assert not any(s.startswith(("BEGIN", "COMMIT")) or "advisory" in s for s in sent)
    assert await stream_names(learning, "p-alone") == [
        (1, "practitioner_enrolled"),
        (2, "assessment_attempted"),
    ]
    stored = (await learning.get(f"/attempts/{recorded.record.id}")).json()
    assert stored == recorded.record.model_dump(mode="json")


async def test_a_mastery_without_the_lock_stores_nothing_and_asks_for_it(
    learning: LearningApi,
) -> None:
    await learning.enroll("p-master")
    runtime = runtime_of(learning.app)
    agency, actor = learning.agency_id, f"{learning.agency_id}/admin"
    async with runtime.pool.acquire() as conn:
        with pytest.raises(LockNeeded):
            await record_attempt(
                runtime, conn, agency, actor, attempt("p-master", 0.95, 0), alone=True
            )

    assert await stream_names(learning, "p-master") == [(1, "practitioner_enrolled")]
    created = await learning.post("/attempts", an_attempt("p-master", score=0.95, at=T0 + DAY))
    assert created.status_code == 201 and created.json()["mastered_module"] is True
    # (with the lapses a mastery long past implies, announced in the same append)
    assert [name for _, name in await stream_names(learning, "p-master")][:3] == [
        "practitioner_enrolled",
        "assessment_attempted",
        "module_mastered",
    ]


async def test_an_attempt_whose_stream_moved_before_its_append_is_decided_again_under_the_lock(
    learning: LearningApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    await learning.enroll("p-race")
    runtime = runtime_of(learning.app)
    original = learner_stream.append_alone_to_learner
    raced: list[str] = []

    async def overtaken(
        sources: Any,
        conn: Connection,
        learner: learner_stream.LoadedLearner,
        events: Sequence[PendingEvent],
        projected: Projected | None = None,
    ) -> list[StoredEvent]:
        if not raced:  # another writer appends between this write's read and its append
            other_attempt = attempt("p-race", 0.4, 0)
            raced.append(str(other_attempt.id))
            async with runtime.store.transaction() as other:
                await record_attempt(
                    runtime, other, learning.agency_id, f"{learning.agency_id}/admin", other_attempt
                )
        return await original(sources, conn, learner, events, projected)

    monkeypatch.setattr(attempts, "append_alone_to_learner", overtaken)
    later = an_attempt("p-race", score=0.5, at=T0 + DAY, id=str(uuid.uuid4()))
    response = await learning.post("/attempts", later)

    assert raced and response.status_code == 201, response.text
    # not stored at the version it was decided on (2, taken meanwhile): decided again after it
    async with runtime.pool.acquire() as conn:
        rows = await conn.fetch(
            "SELECT stream_version, data->>'attempt_id' AS attempt_id FROM events"
            " WHERE stream_id = $1 AND name = 'assessment_attempted' ORDER BY stream_version",
            learner_stream.learner_stream_id(learning.agency_id, "p-race"),
        )
    assert [(r["stream_version"], r["attempt_id"]) for r in rows] == [
        (2, raced[0]),
        (3, later["id"]),
    ]
    again = await learning.post("/attempts", later)
    assert (again.status_code, again.json()) == (200, response.json())
