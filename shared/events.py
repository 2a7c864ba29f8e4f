"""Domain events: frozen, past-tense, versioned; stored rows; upcasting on read.

A service declares `class ObservationRecorded(DomainEvent)` with `name` and `version`
class variables, registers it in its `EventRegistry`, and appends it wrapped in a
`PendingEvent` that carries the tenant, the subject and the practice time.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict

from shared.envelope import CloudEvent, event_source, event_type

_SNAKE = re.compile(r"(?<!^)(?=[A-Z])")


class DomainEvent(BaseModel):
    """Base of every domain event: a frozen fact named in the past tense."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: ClassVar[str] = ""
    version: ClassVar[int] = 1

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "name" not in cls.__dict__:
            cls.name = _SNAKE.sub("_", cls.__name__).lower()


@dataclass(frozen=True)
class PendingEvent:
    """An event about to be appended: the fact plus its envelope facts."""

    event: DomainEvent
    agency_id: str
    occurred_at: datetime
    subject: str | None = None
    actor: str | None = None
    event_id: uuid.UUID = field(default_factory=uuid.uuid4)
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StoredEvent:
    """A committed row of the event store."""

    position: int
    tx_id: int
    event_id: uuid.UUID
    stream_id: str
    stream_version: int
    agency_id: str
    name: str
    schema_version: int
    subject: str | None
    occurred_at: datetime
    recorded_at: datetime
    data: dict[str, Any]
    metadata: dict[str, Any]

    @property
    def actor(self) -> str | None:
        value = self.metadata.get("actor")
        return str(value) if value is not None else None

    def to_cloudevent(self, service: str) -> CloudEvent:
        return CloudEvent(
            id=str(self.event_id),
            source=event_source(service),
            type=event_type(service, self.name, self.schema_version),
            subject=self.subject,
            time=self.occurred_at,
            agencyid=self.agency_id,
            actor=self.actor,
            traceparent=self.metadata.get("traceparent"),
            recordedtime=self.recorded_at,
            data=self.data,
        )


E = TypeVar("E", bound=DomainEvent)
Upcaster = Callable[[dict[str, Any]], dict[str, Any]]


class UnknownEvent(LookupError):
    pass


class EventRegistry:
    """Maps (name, version) to event classes; upcasts old payloads to the current version."""

    def __init__(self) -> None:
        self._classes: dict[str, type[DomainEvent]] = {}
        self._upcasters: dict[tuple[str, int], Upcaster] = {}

    def register(self, cls: type[E]) -> type[E]:
        self._classes[cls.name] = cls
        return cls

    def upcaster(self, name: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
        """Register `fn(data_vN) -> data_vN+1`; stored rows are never rewritten."""

        def decorate(fn: Upcaster) -> Upcaster:
            self._upcasters[(name, from_version)] = fn
            return fn

        return decorate

    def classes(self) -> list[type[DomainEvent]]:
        """The registered event classes, in registration order."""
        return list(self._classes.values())

    def knows(self, name: str) -> bool:
        return name in self._classes

    def decode(self, name: str, schema_version: int, data: dict[str, Any]) -> DomainEvent:
        cls = self._classes.get(name)
        if cls is None:
            raise UnknownEvent(name)
        version = schema_version
        while version < cls.version:
            data = self._upcasters[(name, version)](data)
            version += 1
        return cls.model_validate(data)

    def decode_stored(self, stored: StoredEvent) -> DomainEvent:
        return self.decode(stored.name, stored.schema_version, stored.data)
