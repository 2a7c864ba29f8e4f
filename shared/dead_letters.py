"""Dead letters an operator can see, retry and discard (the rows shared/consumer.py writes).

A dead letter is `dead` until an operator retries it (the consumer's own hooks and handler
run again on the stored event, in one transaction, and it becomes `retried`) or discards
it (`discarded`). Both are idempotent: asking again answers the same row; asking to retry
a discarded one, or to discard a retried one, is a conflict. A retry that fails again
keeps the row dead, with the new error. An agency's people see their agency's letters
(the agency is the subject's third token); a platform operator sees every agency's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from shared.consumer import EventConsumer
from shared.database import Connection, Pool
from shared.envelope import CloudEvent
from shared.problems import Conflict, NotFound, Problem, Unprocessable
from shared.tracing import consumer_span

DeadLetterStatus = Literal["dead", "retried", "discarded"]

_COLUMNS = (
    "id, consumer, event_id, subject, stream_seq, deliveries, error, payload, failed_at,"
    " status, retries, resolved_at, resolved_by"
)
# the agency token of `<root>.<service>.<agency>.<event>`; NULL scope: every agency
_IN_SCOPE = "($2::text IS NULL OR split_part(subject, '.', 3) = $2)"


class StillFailing(Problem):
    status, title, slug = 409, "Dead letter still failing", "dead-letter-still-failing"


@dataclass(frozen=True)
class DeadLetter:
    id: int
    consumer: str
    event_id: str | None
    subject: str
    stream_seq: int
    deliveries: int
    error: str
    payload: Any
    failed_at: datetime
    status: DeadLetterStatus
    retries: int
    resolved_at: datetime | None
    resolved_by: str | None


def _payload(raw: bytes) -> Any:
    """The stored message as JSON when it is, as text otherwise (a malformed message)."""
    text = raw.decode("utf-8", errors="replace")
    try:
        return json.loads(text)
    except ValueError:
        return text


def _letter(row: Any) -> DeadLetter:
    values = dict(row)
    values["payload"] = _payload(values["payload"])
    return DeadLetter(**values)


async def list_dead_letters(
    pool: Pool,
    scope: str | None,
    *,
    status: DeadLetterStatus | None,
    consumer: str | None,
    after_id: int | None,
    limit: int,
) -> list[DeadLetter]:
    async with pool.acquire() as conn:
        rows = await conn.fetch(
            f"SELECT {_COLUMNS} FROM dead_letters WHERE id > $1 AND {_IN_SCOPE}"
            " AND ($3::text IS NULL OR status = $3) AND ($4::text IS NULL OR consumer = $4)"
            " ORDER BY id LIMIT $5",
            after_id or 0,
            scope,
            status,
            consumer,
            limit,
        )
    return [_letter(row) for row in rows]


async def find_dead_letter(
    conn: Connection, letter_id: int, scope: str | None, *, lock: bool = False
) -> DeadLetter:
    row = await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM dead_letters WHERE id = $1 AND {_IN_SCOPE}"
        + (" FOR UPDATE" if lock else ""),
        letter_id,
        scope,
    )
    if row is None:
        raise NotFound(
            f"no dead letter {letter_id} here; list them at GET /operations/dead-letters"
        )
    return _letter(row)


async def discard_dead_letter(
    pool: Pool, letter_id: int, scope: str | None, actor: str
) -> DeadLetter:
    async with pool.acquire() as conn, conn.transaction():
        letter = await find_dead_letter(conn, letter_id, scope, lock=True)
        if letter.status == "retried":
            raise Conflict(f"dead letter {letter_id} was retried and handled; nothing to discard")
        if letter.status == "dead":
            await _resolve(conn, letter_id, "discarded", actor)
        return await find_dead_letter(conn, letter_id, scope)


async def retry_dead_letter(
    pool: Pool, consumers: list[EventConsumer], letter_id: int, scope: str | None, actor: str
) -> DeadLetter:
    """Run the consumer's hooks and handler on the stored event again, in one transaction."""
    failure: Exception | None = None
    async with pool.acquire() as conn:
        try:
            async with conn.transaction():
                letter = await find_dead_letter(conn, letter_id, scope, lock=True)
                if letter.status == "discarded":
                    raise Conflict(f"dead letter {letter_id} was discarded; it cannot be retried")
                if letter.status == "retried":
                    return letter
                consumer = _consumer_of(consumers, letter)
                event = _event_of(letter)
                try:
                    await _handle_again(consumer, conn, letter, event)
                except Exception as error:
                    failure = error
                    raise
                await _resolve(conn, letter_id, "retried", actor)
                return await find_dead_letter(conn, letter_id, scope)
        except Exception:
            if failure is None:
                raise
        await conn.execute(
            "UPDATE dead_letters SET error = $2, retries = retries + 1 WHERE id = $1",
            letter_id,
            repr(failure),
        )
    raise StillFailing(
        f"the handler failed again ({type(failure).__name__}); the dead letter stays, with "
        "its new error. Fix the cause and retry, or discard it",
        extra={"error": repr(failure)[:500]},
    ) from failure


async def _handle_again(
    consumer: EventConsumer, conn: Connection, letter: DeadLetter, event: CloudEvent
) -> None:
    if consumer.prepare is not None:
        await consumer.prepare(conn, [event])
    with consumer_span(consumer.name, "process", [(letter, event)]):
        await consumer.handler(conn, event)
    if consumer.finish is not None:
        await consumer.finish(conn, [event])


def _consumer_of(consumers: list[EventConsumer], letter: DeadLetter) -> EventConsumer:
    for consumer in consumers:
        if consumer.name == letter.consumer:
            return consumer
    raise Conflict(
        f"no consumer named {letter.consumer!r} runs in this service any more; discard the "
        "dead letter, or retry it where that consumer runs"
    )


def _event_of(letter: DeadLetter) -> CloudEvent:
    try:
        return CloudEvent.model_validate(letter.payload)
    except ValueError as error:
        raise Unprocessable(
            f"dead letter {letter.id} is not a CloudEvent, so no handler can take it; discard it"
        ) from error


async def _resolve(conn: Connection, letter_id: int, status: DeadLetterStatus, actor: str) -> None:
    await conn.execute(
        "UPDATE dead_letters SET status = $2, resolved_at = now(), resolved_by = $3,"
        " retries = retries + CASE WHEN $2 = 'retried' THEN 1 ELSE 0 END WHERE id = $1",
        letter_id,
        status,
        actor,
    )


async def open_dead_letters(pool: Pool) -> dict[str, int]:
    """Dead letters still waiting, by consumer."""
    async with pool.acquire() as conn:
        rows = await conn.fetch(
            "SELECT consumer, count(*) AS open FROM dead_letters WHERE status = 'dead'"
            " GROUP BY consumer"
        )
    return {row["consumer"]: row["open"] for row in rows}
