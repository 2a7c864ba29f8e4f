"""The operations API every service mounts: dead letters, consumer and relay positions.

`GET /operations/dead-letters` (paginated, with each error), `GET …/{id}`, and
`POST …/{id}/retry` / `…/discard` (idempotent); `GET /operations/consumers` and
`GET /operations/relay` (positions and lag, read live). Who may do what is in each
service's `permissions.py` (`OPERATIONS_PERMISSIONS`): an agency's admin and auditor see
their agency's dead letters, its admin retries and discards them; a platform operator
sees and handles every agency's. Positions and lag are counts, not tenant data.
Certification's rejected evidence (a contract breach kept with its reason) is its own
`GET /rejected-evidence`.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from shared.auth import Principal, Role, allow
from shared.dead_letters import (
    DeadLetter,
    discard_dead_letter,
    find_dead_letter,
    list_dead_letters,
    open_dead_letters,
    retry_dead_letter,
)
from shared.naming import subject_token
from shared.pagination import Page, PageRequest, build_page, keyset, page_request
from shared.problems import PROBLEM_RESPONSES

__all__ = ["OPERATIONS_PERMISSIONS", "router"]

_READERS = frozenset({Role.ADMIN, Role.AUDITOR, Role.PLATFORM_OPERATOR})
_HANDLERS = frozenset({Role.ADMIN, Role.PLATFORM_OPERATOR})
OPERATIONS_PERMISSIONS: dict[str, frozenset[Role]] = {
    "operations.read": _READERS,
    "dead_letters.retry": _HANDLERS,
    "dead_letters.discard": _HANDLERS,
}

router = APIRouter(prefix="/operations", tags=["operations"], responses=PROBLEM_RESPONSES)


class DeadLetterPublic(BaseModel):
    id: int
    consumer: str = Field(description="the durable consumer that gave up on it")
    event_id: str | None = Field(description="absent when the message was not a CloudEvent")
    subject: str
    stream_seq: int
    deliveries: int
    error: str = Field(description="the handler's last error")
    payload: Any = Field(description="the message as it arrived (JSON, or its text)")
    failed_at: datetime
    status: Literal["dead", "retried", "discarded"]
    retries: int
    resolved_at: datetime | None
    resolved_by: str | None

    @classmethod
    def of(cls, letter: DeadLetter) -> DeadLetterPublic:
        return cls(**letter.__dict__)


class ConsumerPosition(BaseModel):
    name: str
    stream: str
    subjects: list[str]
    delivered_stream_seq: int | None = Field(description="last stream sequence delivered")
    ack_floor_stream_seq: int | None = Field(description="every message up to it is acked")
    pending: int | None = Field(description="lag: messages not yet delivered or not acked")
    delivered: int
    redelivered: int
    processed: int
    dead_lettered: int
    open_dead_letters: int
    error: str | None = Field(description="why JetStream's figures are missing, if they are")


class RelayPosition(BaseModel):
    relay: str
    leading: bool = Field(description="this replica holds the lease and publishes")
    lease_holder: str | None
    lease_expires_at: datetime | None
    checkpoint_tx_id: int
    checkpoint_position: int
    checkpoint_updated_at: datetime | None
    lag_events: int = Field(description="outbox depth: committed events not yet published")
    lag_seconds: float = Field(description="age of the oldest of them (0: none)")
    published: int = Field(description="events this replica published since it started")
    last_error: str | None


def _runtime(request: Request) -> Any:
    return request.app.state.runtime


OpsRuntime = Annotated[Any, Depends(_runtime)]


def agency_scope(principal: Principal) -> str | None:
    """The agency token a caller's dead letters carry, or None for every agency."""
    if Role.PLATFORM_OPERATOR in principal.roles:
        return None
    return subject_token(principal.agency_id)


@router.get("/dead-letters", summary="Dead letters with their error (newest last)")
async def get_dead_letters(
    principal: Annotated[Principal, allow("operations.read")],
    runtime: OpsRuntime,
    page: Annotated[PageRequest, Depends(page_request)],
    status: Annotated[
        Literal["dead", "retried", "discarded"] | None,
        Query(description="only those in this state (default: all)"),
    ] = None,
    consumer: Annotated[str | None, Query(max_length=200)] = None,
) -> Page[DeadLetterPublic]:
    after = keyset(page, "int")
    letters = await list_dead_letters(
        runtime.pool,
        agency_scope(principal),
        status=status,
        consumer=consumer,
        after_id=after[0] if after else None,
        limit=page.limit + 1,
    )
    return build_page([DeadLetterPublic.of(x) for x in letters], page.limit, lambda x: [x.id])


@router.get("/dead-letters/{letter_id}", summary="One dead letter")
async def get_dead_letter(
    letter_id: int,
    principal: Annotated[Principal, allow("operations.read")],
    runtime: OpsRuntime,
) -> DeadLetterPublic:
    async with runtime.pool.acquire() as conn:
        letter = await find_dead_letter(conn, letter_id, agency_scope(principal))
    return DeadLetterPublic.of(letter)


@router.post(
    "/dead-letters/{letter_id}/retry",
    summary="Handle the event again with its consumer (idempotent); 409 if it fails again",
)
async def retry(
    letter_id: int,
    principal: Annotated[Principal, allow("dead_letters.retry")],
    runtime: OpsRuntime,
) -> DeadLetterPublic:
    letter = await retry_dead_letter(
        runtime.pool, runtime.consumers, letter_id, agency_scope(principal), principal.actor
    )
    return DeadLetterPublic.of(letter)


@router.post("/dead-letters/{letter_id}/discard", summary="Give up on it (idempotent)")
async def discard(
    letter_id: int,
    principal: Annotated[Principal, allow("dead_letters.discard")],
    runtime: OpsRuntime,
) -> DeadLetterPublic:
    letter = await discard_dead_letter(
        runtime.pool, letter_id, agency_scope(principal), principal.actor
    )
    return DeadLetterPublic.of(letter)


@router.get("/consumers", summary="Each consumer's position in its stream and its lag")
async def consumers(
    principal: Annotated[Principal, allow("operations.read")], runtime: OpsRuntime
) -> list[ConsumerPosition]:
    waiting = await open_dead_letters(runtime.pool)
    positions = []
    for consumer in runtime.consumers:
        sub = consumer.subscription
        delivered = ack_floor = pending = None
        error = None
        partitioned = getattr(runtime, "partitions", None)
        try:
            async with asyncio.timeout(2):
                if partitioned is not None and consumer in partitioned.groups:
                    index = partitioned.groups.index(consumer)  # over its partitions' durables
                    delivered, ack_floor, pending = await partitioned.position(index)
                else:
                    info = await runtime.nats.jetstream().consumer_info(sub.stream, sub.durable)
                    delivered = info.delivered.stream_seq if info.delivered else None
                    ack_floor = info.ack_floor.stream_seq if info.ack_floor else None
                    pending = int(info.num_pending or 0) + int(info.num_ack_pending or 0)
        except Exception as failure:  # NATS away: the counters still answer
            error = f"JetStream did not answer: {type(failure).__name__}"
        positions.append(
            ConsumerPosition(
                name=consumer.name,
                stream=sub.stream,
                subjects=list(sub.subjects),
                delivered_stream_seq=delivered,
                ack_floor_stream_seq=ack_floor,
                pending=pending if pending is not None else consumer.pending,
                delivered=consumer.deliveries.delivered,
                redelivered=consumer.deliveries.redelivered,
                processed=consumer.processed,
                dead_lettered=consumer.dead_lettered,
                open_dead_letters=waiting.get(consumer.name, 0),
                error=error,
            )
        )
    return positions


@router.get("/relay", summary="The outbox relay's checkpoint, lease and lag")
async def relay(
    principal: Annotated[Principal, allow("operations.read")], runtime: OpsRuntime
) -> RelayPosition:
    outbox = runtime.relay
    async with runtime.pool.acquire() as conn:
        lease = await conn.fetchrow(
            "SELECT holder, expires_at FROM relay_leases WHERE relay = $1", outbox.name
        )
        saved = await conn.fetchrow(
            "SELECT updated_at FROM relay_checkpoints WHERE relay = $1", outbox.name
        )
    checkpoint = await outbox.load_checkpoint()
    return RelayPosition(
        relay=outbox.name,
        leading=outbox.leading,
        lease_holder=lease["holder"] if lease else None,
        lease_expires_at=lease["expires_at"] if lease else None,
        checkpoint_tx_id=checkpoint.tx_id,
        checkpoint_position=checkpoint.position,
        checkpoint_updated_at=saved["updated_at"] if saved else None,
        lag_events=await outbox.lag(),
        lag_seconds=await outbox.oldest_unpublished_age(),
        published=outbox.published,
        last_error=outbox.last_error,
    )
