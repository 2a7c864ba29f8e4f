"""Pytest plugin: real PostgreSQL and NATS JetStream for the whole suite.

Fixture chain: `harness_dir → postgres_server / nats_server` (once per session, free
ports, temporary data) → `schema` and `subject_root` (unique per test, so tests never
see each other's rows or streams) → `settings_for(...)` → the services' apps and
clients. Fault tests use `own_postgres` / `own_nats`, which they may stop and restart.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import nats
import pytest
from nats.aio.client import Client

from shared.servers import NatsServer, PostgresServer
from shared.testing.roster import RosterAnnouncer

DATABASE = "miiwrap_test"


@pytest.fixture(scope="session")
def harness_dir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="miiwrap-test-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server(harness_dir: Path) -> Iterator[PostgresServer]:
    server = PostgresServer(harness_dir / "pgdata")
    server.start(fast_unsafe=True)
    server.create_database(DATABASE)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def nats_server(harness_dir: Path) -> Iterator[NatsServer]:
    server = NatsServer(harness_dir / "nats")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def database_url(postgres_server: PostgresServer) -> str:
    return postgres_server.dsn(DATABASE)


@pytest.fixture
def unique_name() -> str:
    return "t" + uuid.uuid4().hex[:12]


@pytest.fixture
def schema(unique_name: str) -> str:
    """A PostgreSQL schema of this test's own (services suffix it with their name)."""
    return unique_name


@pytest.fixture
def subject_root(unique_name: str) -> str:
    """A NATS subject root of this test's own: its streams and consumers are private."""
    return unique_name


@pytest.fixture
def agency_id() -> str:
    return "agency-" + uuid.uuid4().hex[:8]


@pytest.fixture
def settings_for(
    database_url: str, nats_server: NatsServer, schema: str, subject_root: str
) -> Callable[..., Any]:
    """Build a service's settings pointing at the harness servers, isolated per test."""

    def build(settings_cls: type[Any], **overrides: Any) -> Any:
        service = settings_cls.model_fields["service_name"].default
        values: dict[str, Any] = {
            "environment": "test",
            "database_url": database_url,
            "db_schema": f"{schema}_{service}",
            "nats_url": nats_server.url,
            "subject_root": subject_root,
            "relay_poll_interval_seconds": 0.2,
            "db_pool_max": 5,
            # a test process starts many apps: nothing frozen that a later test frees
            "gc_settle_after_start": False,
        }
        values.update(overrides)
        return settings_cls(**values)

    return build


@pytest.fixture
async def nats_client(nats_server: NatsServer) -> AsyncIterator[Client]:
    client = await nats.connect(nats_server.url)
    yield client
    await client.close()


@pytest.fixture
def roster(nats_client: Client, subject_root: str, agency_id: str) -> RosterAnnouncer:
    """Certification's roster events for the test's agency; a service fixture adds its pool
    to `copies` so each announcement waits until that service's copy has it."""
    return RosterAnnouncer(nats_client, subject_root, agency_id)


@pytest.fixture
def own_postgres(tmp_path: Path) -> Iterator[PostgresServer]:
    """A PostgreSQL only this test uses; it may stop and restart it."""
    tmp_path.chmod(0o755)
    server = PostgresServer(tmp_path / "pgdata")
    server.start(fast_unsafe=True)
    server.create_database(DATABASE)
    yield server
    server.stop()


@pytest.fixture
def own_nats(tmp_path: Path) -> Iterator[NatsServer]:
    """A nats-server only this test uses; it may stop and restart it (same store, port)."""
    server = NatsServer(tmp_path / "own-nats")
    server.start()
    yield server
    server.stop()
