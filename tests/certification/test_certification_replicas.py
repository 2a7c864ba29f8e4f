"""Two certification replicas on one database and one NATS: the upstream streams are
partitioned by practitioner, each replica folds the practitioners of the partitions it
holds, and no practitioner's evidence is folded by both."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable
from contextlib import AsyncExitStack
from typing import Any

from fastapi import FastAPI
from nats.aio.client import Client

from services.certification.adapters.clock import SettableClock
from services.certification.bootstrap import build_definition
from services.certification.config import CertificationSettings
from shared.consumer import BatchHook, EventConsumer
from shared.database import Connection
from shared.envelope import CloudEvent
from shared.service import Runtime, create_app
from shared.testing.apps import running, runtime_of
from shared.testing.waiting import eventually
from tests.certification.certification_client import CertificationApi
from tests.certification.upstream import TODAY, UpstreamHistory, publish

PARTITIONS = 4
PRACTITIONERS = [f"pr-{n}" for n in range(12)]  # all on one replica: 1 in 2048

# replica → the practitioners whose evidence batches it folded (one entry per batch)
Folds = dict[str, list[str]]


def recording(finish: BatchHook | None, replica: str, folds: Folds) -> BatchHook:
    """The consumer's `finish` hook (the fold of the batch's practitioners), noted."""

    async def on_batch(conn: Connection, events: list[CloudEvent]) -> None:
        folds[replica].extend(sorted({str(e.subject) for e in events}))
        if finish is not None:
            await finish(conn, events)

    return on_batch


def replica_app(settings: CertificationSettings, name: str, folds: Folds) -> FastAPI:
    definition = build_definition(settings, SettableClock(TODAY))
    declared = definition.consumers

    def consumers(runtime: Runtime) -> list[EventConsumer]:
        made = declared(runtime)
        for consumer in made:
            consumer.finish = recording(consumer.finish, name, folds)
        return made

    definition.consumers = consumers
    return create_app(definition)


def holds_half(app: FastAPI) -> bool:
    partitions = runtime_of(app).partitions
    return partitions is not None and len(partitions.held) == PARTITIONS // 2


async def test_two_replicas_fold_every_practitioner_once_and_none_in_both(
    settings_for: Callable[..., Any], agency_id: str, nats_client: Client
) -> None:
    settings: CertificationSettings = settings_for(
        CertificationSettings,
        db_pool_max=8,
        stream_partitions=PARTITIONS,
        partition_lease_seconds=2.0,  # rounds of 0.67 s; a busy machine keeps its claims
    )
    folds: Folds = defaultdict(list)
    first, second = (replica_app(settings, name, folds) for name in ("first", "second"))
    async with AsyncExitStack() as stack:
        client = await stack.enter_async_context(running(first))
        await stack.enter_async_context(running(second))
        api = CertificationApi(client, settings, agency_id, first, SettableClock(TODAY))

        async def balanced() -> bool:
            return holds_half(first) and holds_half(second)

        await eventually(balanced)
        await asyncio.gather(*(api.register(p) for p in PRACTITIONERS))
        histories = [UpstreamHistory.certified_facilitator(agency_id, p) for p in PRACTITIONERS]
        sent = await publish(
            nats_client, settings.subject_root, [e for h in histories for e in h.events]
        )
        await api.wait_consumed(sent)
        await asyncio.sleep(0.3)  # a second handling would show now

        assert await api.consumed() == sent  # each event taken in once
        for practitioner in PRACTITIONERS:
            assert await api.status(practitioner) == "certified"
        folded_by: dict[str, set[str]] = defaultdict(set)
        for replica, practitioners in folds.items():
            for practitioner in practitioners:
                folded_by[practitioner].add(replica)
        assert set(folded_by) == set(PRACTITIONERS)
        assert all(len(replicas) == 1 for replicas in folded_by.values()), folded_by
        assert set(folds) == {"first", "second"}  # both did a share of the work
