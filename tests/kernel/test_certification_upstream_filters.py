"""Certification's consumers read only the upstream events it takes in, under the
deploy/ NATS authorization, and narrow a durable an earlier release filtered to the
whole stream (unpartitioned or one partition's) without losing its position."""

from __future__ import annotations

from pathlib import Path
from typing import cast

import pytest
from nats.js.api import ConsumerConfig

from services.certification.entrypoints.consumers import upstream_subscription
from shared.config import event_subject
from shared.consumer import EventConsumer, filters_of
from shared.database import Pool
from shared.messaging import NatsConnection, StreamPolicy, ensure_stream
from shared.nats_auth import consumer_name
from shared.partition_subjects import partition_durable, partition_filter
from shared.partitions import PartitionedConsumers
from shared.servers import NatsServer
from system.nats_config import render_config
from tests.kernel.test_nats_authorization import SERVICE_PASSWORDS, connect_service

LEARNING_STREAM = "MIIWRAP_LEARNING"
PARTITIONS = 2


@pytest.fixture
def secured_nats(tmp_path: Path) -> NatsServer:
    config = tmp_path / "nats.conf"
    config.write_text(render_config(SERVICE_PASSWORDS, {}, partitions=PARTITIONS))
    server = NatsServer(tmp_path / "store", config_file=config)
    server.start()
    yield server  # type: ignore[misc]
    server.stop()


async def publish_learning(server: NatsServer, *names: str) -> None:
    """Learning's events of one practitioner, as its relay publishes them."""
    learning = await connect_service(server, "learning", [])
    js = learning.jetstream()
    policy = StreamPolicy(partitions=PARTITIONS)
    await ensure_stream(js, LEARNING_STREAM, ["miiwrap.learning.>"], policy)
    for name in names:
        await js.publish(
            event_subject("miiwrap", "learning", "agency-a", name, "p-1"), name.encode()
        )
    await learning.close()


def certification_consumer(nats: NatsConnection) -> EventConsumer:
    async def nothing(*_: object) -> None:
        return None

    return EventConsumer(
        pool=cast(Pool, None),  # binding reads no table
        nats=nats,
        subscription=upstream_subscription("miiwrap", "certification", "learning"),
        handler=nothing,
        streams=StreamPolicy(partitions=PARTITIONS),
    )


async def test_an_old_catch_all_durable_is_narrowed_and_delivers_only_what_certification_reads(
    secured_nats: NatsServer,
) -> None:
    durable = consumer_name("certification", "certification", "learning")
    await publish_learning(secured_nats, "module_mastered")
    violations: list[str] = []
    old = await connect_service(secured_nats, "certification", violations)
    ojs = old.jetstream()
    olds = [(durable, "miiwrap.learning.>")]  # as an earlier release created them
    olds += [
        (partition_durable(durable, p), partition_filter("miiwrap.learning.>", p))
        for p in range(PARTITIONS)
    ]
    for name, filter_subject in olds:
        await ojs.add_consumer(
            LEARNING_STREAM, ConsumerConfig(durable_name=name, filter_subject=filter_subject)
        )
    [taken] = await (await ojs.pull_subscribe_bind(durable, LEARNING_STREAM)).fetch(1, timeout=5)
    await taken.ack()  # the old release took in the first mastery
    await old.close()
    await publish_learning(secured_nats, "assessment_attempted", "concept_lapsed")

    nats = NatsConnection(
        secured_nats.url, "certification", "certification", SERVICE_PASSWORDS["certification"]
    )
    await nats.start()
    await nats.wait_connected(timeout=5)
    try:
        group = certification_consumer(nats)
        assert "miiwrap.learning.*.concept_lapsed.>" in group.subscription.subjects
        partitioned = PartitionedConsumers([group], name="intake", lease_seconds=9)
        partitioned.counts = [PARTITIONS]
        partitions = [partitioned._partition_consumer(0, p) for p in range(PARTITIONS)]
        delivered: dict[str, list[str]] = {}
        for consumer in [group, *partitions]:
            assert consumer is not None
            psub = await consumer._bind()
            info = await psub.consumer_info()
            assert filters_of(info.config) == consumer.subscription.subjects
            assert consumer.subscription.durable == info.name
            messages = await psub.fetch(5, timeout=1) if info.num_pending else []
            delivered[info.name] = [m.subject.split(".")[3] for m in messages]
        # the whole-stream durable had acked the first mastery: its position is kept
        assert delivered.pop(durable) == ["concept_lapsed"]
        # the attempt, stored between the two, reaches no partition either
        by_partitions = sorted(n for names in delivered.values() for n in names)
        assert by_partitions == ["concept_lapsed", "module_mastered"]
        assert violations == []
    finally:
        await nats.close()


async def test_a_durable_the_operator_filtered_otherwise_is_bound_as_it_is(
    secured_nats: NatsServer,
) -> None:
    await publish_learning(secured_nats, "module_mastered")
    durable = consumer_name("certification", "certification", "learning")
    operators = "miiwrap.learning.agency-a.>"
    admin = await connect_service(secured_nats, "certification", [])
    await admin.jetstream().add_consumer(
        LEARNING_STREAM, ConsumerConfig(durable_name=durable, filter_subject=operators)
    )
    await admin.close()
    nats = NatsConnection(
        secured_nats.url, "certification", "certification", SERVICE_PASSWORDS["certification"]
    )
    await nats.start()
    await nats.wait_connected(timeout=5)
    try:
        psub = await certification_consumer(nats)._bind()
        assert filters_of((await psub.consumer_info()).config) == [operators]
    finally:
        await nats.close()


def test_the_rendered_grants_let_certification_create_each_of_its_durables() -> None:
    config = render_config(SERVICE_PASSWORDS, {}, partitions=PARTITIONS)
    for service in ("learning", "coaching", "fidelity"):
        stream = f"MIIWRAP_{service.upper()}"
        durable = consumer_name("certification", "certification", service)
        for name in [durable, *(partition_durable(durable, p) for p in range(PARTITIONS))]:
            assert f'"$JS.API.CONSUMER.DURABLE.CREATE.{stream}.{name}"' in config
