"""A 3-node JetStream cluster on loopback, an R3 stream, and one node lost under load.

Three nats-server processes, each with its own store and a small config file (server
name, cluster listen port, routes to the other two). The kernel probe (event store,
outbox relay, consumer) is given all three URLs and `stream_replicas=3`, so the stream
it creates is R3. While events are
appended, the stream leader's node is stopped and later started again: every appended
event must be consumed exactly once, the stream must hold each once, and it must still
be R3 (a leader and two current replicas).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import nats
import pytest

from shared.messaging import StreamPolicy
from shared.servers import NatsServer, free_port
from shared.testing.waiting import eventually
from tests.kernel.probe import Probe, ProbeSettings, open_probe, pending

pytestmark = pytest.mark.fault

NODES = 3


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[list[NatsServer]]:
    cluster_ports = [free_port() for _ in range(NODES)]
    servers: list[NatsServer] = []
    for n in range(NODES):
        routes = ", ".join(
            f"nats-route://127.0.0.1:{port}" for i, port in enumerate(cluster_ports) if i != n
        )
        config = tmp_path / f"n{n}.conf"
        config.write_text(
            f"server_name: n{n}\n"
            "cluster {\n"
            "  name: chaos\n"
            f"  listen: 127.0.0.1:{cluster_ports[n]}\n"
            f"  routes: [{routes}]\n"
            "}\n"
        )
        servers.append(
            NatsServer(tmp_path / f"n{n}", config_file=config, log_file=tmp_path / f"n{n}.log")
        )
    try:
        for server in servers:
            server.start()
        yield servers
    finally:
        for server in servers:
            server.stop()


async def wait_for_jetstream(urls: str, timeout: float = 30.0) -> None:
    """Until the cluster has elected its JetStream meta leader."""
    client = await nats.connect(urls.split(","), connect_timeout=2)
    try:
        js = client.jetstream(timeout=2)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            try:
                await js.account_info()
                return
            except Exception:
                if loop.time() > deadline:
                    raise
                await asyncio.sleep(0.25)
    finally:
        await client.close()


@pytest.mark.timeout(150)
async def test_an_r3_stream_loses_nothing_and_doubles_nothing_when_a_node_goes(
    settings_for: Callable[..., Any], cluster: list[NatsServer]
) -> None:
    urls = ",".join(server.url for server in cluster)
    settings: ProbeSettings = settings_for(ProbeSettings, nats_url=urls, stream_replicas=3)
    stream = settings.stream_name
    await wait_for_jetstream(urls)
    pool, connection = await open_probe(settings)
    probe = Probe(settings, pool, connection)
    # the relay and the consumer create the missing stream as the settings say: R3
    policy = StreamPolicy.from_settings(settings)
    probe.relay.streams = policy
    observer = await nats.connect(urls.split(","), connect_timeout=2)
    appended = 0
    stop = asyncio.Event()

    async def writer(name: str) -> None:
        nonlocal appended
        n = 0
        while not stop.is_set():
            await probe.append(f"{name}-{n}", pending("p", 1))
            appended += 1
            n += 1
            await asyncio.sleep(0.01)

    try:
        try:
            await connection.wait_connected(10)
        except TimeoutError:
            pytest.fail(
                f"the kernel's NatsConnection did not connect to {urls!r} within 10s: "
                "it must accept a comma-separated list of servers (shared/messaging.py)"
            )
        probe.run(probe.relay.run())
        probe.run(probe.consumer(ack_wait=5.0, streams=policy).run())
        writers = [asyncio.create_task(writer(f"w{i}")) for i in range(3)]
        js = observer.jetstream(timeout=5)

        async def some_seen() -> bool:
            return len(await probe.seen_ids()) >= 50

        await eventually(some_seen, timeout=30)
        leader = (await js.stream_info(stream)).cluster.leader  # type: ignore[union-attr]
        down = next(s for n, s in enumerate(cluster) if f"n{n}" == leader)
        down.stop()  # the stream leader's node, under load
        await asyncio.sleep(5)
        during = len(await probe.seen_ids())
        down.start()
        await asyncio.sleep(3)
        stop.set()
        await asyncio.gather(*writers)

        async def all_seen() -> bool:
            return len(await probe.seen_ids()) >= appended

        await eventually(all_seen, timeout=60)
        await asyncio.sleep(1.0)
        seen = await probe.seen_ids()
        assert len(seen) == len(set(seen)) == appended
        assert set(seen) == await probe.stored_ids()
        assert during > 50, "the flow stopped while one node of three was down"

        async def replicas_current() -> bool:
            info = await js.stream_info(stream)
            replicas = info.cluster.replicas if info.cluster else None
            return bool(
                info.cluster
                and info.cluster.leader
                and replicas
                and len(replicas) == 2
                and all(r.current for r in replicas)
            )

        with contextlib.suppress(AssertionError):
            await eventually(replicas_current, timeout=30)
        info = await js.stream_info(stream)
        assert info.config.num_replicas == 3, "the stream's replication was rewritten"
        assert info.cluster is not None and info.cluster.leader
        assert len(info.cluster.replicas or []) == 2
        assert all(r.current for r in info.cluster.replicas or [])
        assert info.state.messages == appended  # the stream itself holds no duplicate
    finally:
        stop.set()
        await probe.stop_tasks()
        await observer.close()
        await connection.close()
        await pool.close()
