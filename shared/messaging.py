"""A NATS connection that survives outages, and the JetStream stream of each service.

The service starts even when NATS is down (the API keeps accepting writes; the outbox
holds them), so the first connection is retried in the background and `/readyz` reports
whether NATS is reachable right now.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import timedelta

import nats
import structlog
from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.api import (
    DiscardPolicy,
    RetentionPolicy,
    StorageType,
    StreamConfig,
    SubjectTransform,
)
from nats.js.errors import BadRequestError, NotFoundError

from shared.config import ServiceSettings
from shared.nats_auth import service_inbox_prefix
from shared.partition_subjects import partition_transform

log = structlog.get_logger(__name__)

DUPLICATE_WINDOW = timedelta(hours=1)


class NatsConnection:
    """Owns one nats-py client; connects and reconnects forever until closed."""

    def __init__(
        self, url: str, name: str, user: str | None = None, password: str | None = None
    ) -> None:
        self.url = url
        self.name = name
        self.user = user
        self.password = password
        self._client: Client | None = None
        self._connected = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @classmethod
    def from_settings(cls, settings: ServiceSettings) -> NatsConnection:
        return cls(
            settings.nats_url,
            settings.service_name,
            settings.nats_user,
            settings.nats_password.get_secret_value() if settings.nats_password else None,
        )

    async def start(self) -> None:
        self._task = asyncio.create_task(self._connect_until_done(), name=f"nats-{self.name}")

    async def _connect_until_done(self) -> None:
        delay = 0.2
        while True:
            try:
                self._client = await nats.connect(
                    # a cluster is several URLs, comma-separated
                    [url.strip() for url in self.url.split(",") if url.strip()],
                    name=self.name,
                    user=self.user,
                    password=self.password,
                    # replies (JetStream acks, pulled messages) come to this service's own
                    # inbox prefix, the only one its NATS user may subscribe to
                    inbox_prefix=service_inbox_prefix(self.name),
                    connect_timeout=2,
                    reconnect_time_wait=0.5,
                    max_reconnect_attempts=-1,
                    disconnected_cb=self._on_disconnected,
                    reconnected_cb=self._on_reconnected,
                    error_cb=self._on_error,
                )
                self._connected.set()
                return
            except Exception as error:
                log.warning("nats_connect_failed", url=self.url, error=str(error))
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    async def _on_disconnected(self) -> None:
        self._connected.clear()

    async def _on_reconnected(self) -> None:
        self._connected.set()

    async def _on_error(self, error: Exception) -> None:
        log.debug("nats_error", error=str(error))

    @property
    def is_connected(self) -> bool:
        return self._client is not None and self._client.is_connected

    async def wait_connected(self, timeout: float | None = None) -> None:
        await asyncio.wait_for(self._connected.wait(), timeout)

    @property
    def client(self) -> Client:
        if self._client is None:
            raise ConnectionError("NATS is not connected yet")
        return self._client

    def jetstream(self) -> JetStreamContext:
        return self.client.jetstream(timeout=5)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._client is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._client.close(), 5)


@dataclass(frozen=True)
class StreamPolicy:
    """How a service creates a stream that does not exist yet (replicas and limits).

    Once a stream exists it belongs to the operator: a service never changes it (an R3
    stream stays R3, raised limits stay raised), it only creates a missing one.
    """

    replicas: int = 1
    max_age_seconds: float = 0.0
    max_bytes: int = -1
    partitions: int = 1  # of the subject transform (shared/partition_subjects.py)

    @classmethod
    def from_settings(cls, settings: ServiceSettings) -> StreamPolicy:
        return cls(
            replicas=settings.stream_replicas,
            max_age_seconds=settings.stream_max_age_days * 86400,
            max_bytes=settings.stream_max_bytes,
            partitions=settings.stream_partitions,
        )


async def ensure_stream(
    js: JetStreamContext, name: str, subjects: list[str], policy: StreamPolicy | None = None
) -> None:
    """Create the stream if it is missing; an existing stream is left exactly as it is.

    A service's stream (`<root>.<service>.>`) is created with the partition transform."""
    try:
        await js.stream_info(name)
        return
    except NotFoundError:
        pass
    policy = policy or StreamPolicy()
    config = StreamConfig(
        name=name,
        subjects=subjects,
        retention=RetentionPolicy.LIMITS,
        storage=StorageType.FILE,
        discard=DiscardPolicy.OLD,
        duplicate_window=DUPLICATE_WINDOW.total_seconds(),
        num_replicas=policy.replicas,
        max_age=policy.max_age_seconds or None,
        max_bytes=policy.max_bytes,
        subject_transform=service_transform(subjects, policy.partitions),
    )
    try:
        await js.add_stream(config)
        log.info(
            "stream_created", stream=name, replicas=policy.replicas, partitions=policy.partitions
        )
    except BadRequestError:
        # created meanwhile by another service or replica (possibly with other settings):
        # theirs stands; only a stream that is still missing is an error
        await js.stream_info(name)


def service_transform(subjects: list[str], partitions: int) -> SubjectTransform | None:
    """The partition transform of a service's whole stream (`<root>.<service>.>`)."""
    tokens = subjects[0].split(".") if len(subjects) == 1 else []
    if len(tokens) != 3 or tokens[2] != ">":
        return None
    return partition_transform(tokens[0], tokens[1], partitions)
