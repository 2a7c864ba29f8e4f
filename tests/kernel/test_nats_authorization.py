"""The deploy/ NATS authorization, enforced by a real nats-server."""

from __future__ import annotations

import asyncio
from pathlib import Path

import nats
import pytest
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js.api import ConsumerConfig
from nats.js.errors import Error as JetStreamError

from shared.config import event_subject
from shared.messaging import ensure_stream
from shared.nats_auth import agency_inbox_prefix, consumer_name, service_inbox_prefix
from shared.partition_subjects import partition_durable, partition_filter
from shared.roster_copy import CONSUMER_LABEL, roster_subjects
from shared.servers import NatsServer
from system.nats_config import render_config
from system.topology import SERVICES

SERVICE_PASSWORDS = {s: f"{s}-secret" for s in SERVICES}
AGENCY_PASSWORDS = {"agency-a": "a-secret", "agency-b": "b-secret"}
STREAM = "MIIWRAP_CERTIFICATION"
COACHING_STREAM = "MIIWRAP_COACHING"


@pytest.fixture
def secured_nats(tmp_path: Path) -> NatsServer:
    config = tmp_path / "nats.conf"
    config.write_text(render_config(SERVICE_PASSWORDS, AGENCY_PASSWORDS))
    server = NatsServer(tmp_path / "store", config_file=config)
    server.start()
    yield server  # type: ignore[misc]
    server.stop()


async def connect_app(server: NatsServer, agency: str, violations: list[str]) -> nats.NATS:
    async def on_error(error: Exception) -> None:
        violations.append(str(error))

    return await nats.connect(
        server.url,
        user=f"app-{agency}",
        password=AGENCY_PASSWORDS[agency],
        inbox_prefix=agency_inbox_prefix(agency),
        error_cb=on_error,
    )


async def connect_service(server: NatsServer, service: str, violations: list[str]) -> nats.NATS:
    async def on_error(error: Exception) -> None:
        violations.append(str(error))

    return await nats.connect(
        server.url,
        user=service,
        password=SERVICE_PASSWORDS[service],
        inbox_prefix=service_inbox_prefix(service),
        error_cb=on_error,
    )


async def publish_certification_events(server: NatsServer) -> None:
    service = await connect_service(server, "certification", [])
    js = service.jetstream()
    await ensure_stream(js, STREAM, ["miiwrap.certification.>"])
    for agency in AGENCY_PASSWORDS:
        await js.publish(f"miiwrap.certification.{agency}.certification_granted", agency.encode())
    await service.close()


async def test_an_agency_app_reads_its_own_certification_events_durably(
    secured_nats: NatsServer,
) -> None:
    await publish_certification_events(secured_nats)
    violations: list[str] = []
    app = await connect_app(secured_nats, "agency-a", violations)
    js = app.jetstream()
    sub = await js.pull_subscribe(
        "miiwrap.certification.agency-a.>",
        durable="agency-a",
        stream=STREAM,
        config=ConsumerConfig(name="agency-a"),
    )
    [msg] = await sub.fetch(1, timeout=5)
    await msg.ack()
    assert msg.data == b"agency-a"
    assert msg.subject == "miiwrap.certification.agency-a.certification_granted"
    assert violations == []
    await app.close()


async def test_an_agency_app_cannot_read_another_agencys_certification_events(
    secured_nats: NatsServer,
) -> None:
    await publish_certification_events(secured_nats)
    violations: list[str] = []
    app = await connect_app(secured_nats, "agency-a", violations)

    live = await app.subscribe("miiwrap.certification.agency-b.>")
    await app.flush()
    service = await nats.connect(
        secured_nats.url, user="certification", password=SERVICE_PASSWORDS["certification"]
    )
    await service.publish("miiwrap.certification.agency-b.certification_lapsed", b"b-only")
    await service.flush()
    with pytest.raises(NatsTimeoutError):
        await live.next_msg(timeout=1)

    js = app.jetstream()
    with pytest.raises((JetStreamError, NatsTimeoutError, asyncio.TimeoutError)):
        await js.add_consumer(
            STREAM,
            ConsumerConfig(
                name="agency-a",
                durable_name="agency-a",
                filter_subject="miiwrap.certification.agency-b.>",
            ),
            timeout=2,
        )
    await asyncio.sleep(0.2)
    assert any('subscription to "miiwrap.certification.agency-b.>"' in v for v in violations)
    assert any(
        "consumer.create.miiwrap_certification.agency-a.miiwrap.certification.agency-b" in v
        for v in violations
    )
    await service.close()
    await app.close()


async def test_a_service_cannot_publish_another_services_events(
    secured_nats: NatsServer,
) -> None:
    violations: list[str] = []

    async def on_error(error: Exception) -> None:
        violations.append(str(error))

    learning = await nats.connect(
        secured_nats.url,
        user="learning",
        password=SERVICE_PASSWORDS["learning"],
        error_cb=on_error,
    )
    await learning.publish("miiwrap.certification.agency-a.certification_granted", b"forged")
    await learning.flush()
    await asyncio.sleep(0.2)
    assert any(
        'permissions violation for publish to "miiwrap.certification.agency-a' in v
        for v in violations
    )
    await learning.close()


async def test_a_service_consumes_another_services_stream_only_through_its_own_durable(
    secured_nats: NatsServer,
) -> None:
    """Certification reads learning's stream as the kernel consumer does (stream info or
    create, consumer info, create with its filter, pull, ack), and nothing else."""
    violations: list[str] = []
    learning = await connect_service(secured_nats, "learning", violations)
    await ensure_stream(learning.jetstream(), "MIIWRAP_LEARNING", ["miiwrap.learning.>"])
    await learning.jetstream().publish("miiwrap.learning.agency-a.module_mastered", b"m1")

    certification = await connect_service(secured_nats, "certification", violations)
    js = certification.jetstream()
    durable = consumer_name("certification", "certification", "learning")
    await ensure_stream(js, "MIIWRAP_LEARNING", ["miiwrap.learning.>"])
    with pytest.raises(JetStreamError):
        await js.consumer_info("MIIWRAP_LEARNING", durable)  # not found yet: allowed to ask
    await js.add_consumer(
        "MIIWRAP_LEARNING",
        ConsumerConfig(durable_name=durable, filter_subject="miiwrap.learning.>"),
    )
    sub = await js.pull_subscribe_bind(durable, "MIIWRAP_LEARNING")
    [msg] = await sub.fetch(1, timeout=5)
    await msg.ack()
    assert msg.data == b"m1"

    # another name on the same stream (a temporary consumer, say) is refused
    with pytest.raises((JetStreamError, NatsTimeoutError, asyncio.TimeoutError)):
        await js.add_consumer(
            "MIIWRAP_LEARNING",
            ConsumerConfig(name="peek", filter_subject="miiwrap.learning.>"),
            timeout=2,
        )
    await asyncio.sleep(0.2)
    assert any("consumer.create.miiwrap_learning.peek" in v for v in violations), violations
    await certification.close()
    await learning.close()


async def test_a_service_cannot_read_a_stream_it_neither_owns_nor_consumes(
    secured_nats: NatsServer,
) -> None:
    """The learning user (which used to hold `$JS.API.>`) can neither make a consumer on the
    coaching stream, nor read its messages directly, nor snoop other clients' inboxes."""
    coaching = await connect_service(secured_nats, "coaching", [])
    await ensure_stream(coaching.jetstream(), COACHING_STREAM, ["miiwrap.coaching.>"])
    await coaching.jetstream().publish("miiwrap.coaching.agency-a.coach_assigned", b"c1")
    await coaching.close()
    violations: list[str] = []
    learning = await connect_service(secured_nats, "learning", violations)
    js = learning.jetstream()
    for attempt in (
        js.add_consumer(COACHING_STREAM, ConsumerConfig(filter_subject="miiwrap.coaching.>")),
        js.add_consumer(COACHING_STREAM, ConsumerConfig(durable_name="learning-peek")),
        js.get_msg(COACHING_STREAM, 1),
        js.delete_stream(COACHING_STREAM),
        js.stream_info(COACHING_STREAM),
    ):
        with pytest.raises((JetStreamError, NatsTimeoutError, asyncio.TimeoutError)):
            await asyncio.wait_for(attempt, 3)
    snoop = await learning.subscribe("_INBOX.>")
    await learning.flush()
    await asyncio.sleep(0.2)
    assert any('subscription to "_inbox.>"' in v.lower() for v in violations), violations
    assert any("$js.api.stream.delete.miiwrap_coaching" in v for v in violations)
    await snoop.unsubscribe()
    await learning.close()


@pytest.mark.parametrize("service", ["learning", "coaching", "fidelity"])
async def test_each_roster_copy_reads_certifications_roster_events_through_its_own_durable(
    secured_nats: NatsServer, service: str
) -> None:
    """As the kernel's roster consumer does: one durable per partition, filtered to the
    four roster events of every agency; another service's durable name is refused."""
    certification = await connect_service(secured_nats, "certification", [])
    cjs = certification.jetstream()
    await ensure_stream(cjs, STREAM, ["miiwrap.certification.>"])
    subject = event_subject(
        "miiwrap", "certification", "agency-a", "practitioner_registered", "p-1"
    )
    await cjs.publish(subject, b"r1")
    await certification.close()
    violations: list[str] = []
    reader = await connect_service(secured_nats, service, violations)
    js = reader.jetstream()
    durable = partition_durable(consumer_name(service, service, CONSUMER_LABEL), 0)
    filters = [partition_filter(s, 0) for s in roster_subjects("miiwrap")]
    await ensure_stream(js, STREAM, ["miiwrap.certification.>"])
    await js.add_consumer(STREAM, ConsumerConfig(durable_name=durable, filter_subjects=filters))
    sub = await js.pull_subscribe_bind(durable, STREAM)
    [msg] = await sub.fetch(1, timeout=5)
    await msg.ack()
    assert msg.data == b"r1"

    someone_elses = consumer_name("certification", "certification", "learning")
    with pytest.raises((JetStreamError, NatsTimeoutError, asyncio.TimeoutError)):
        await js.add_consumer(STREAM, ConsumerConfig(durable_name=someone_elses), timeout=2)
    await reader.close()
