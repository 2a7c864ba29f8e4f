"""The CloudEvents 1.0 envelope (JSON structured mode) for every event on NATS.

Attributes: the required `id`, `source` (`/miiwrap/<service>`), `specversion`, `type`
(`org.miiwrap.<service>.<event>.v<N>`), plus `subject` (the practitioner), `time` (when
it happened in practice), `datacontenttype`, and extensions `agencyid`, `traceparent`,
`actor` (the principal that caused it), `recordedtime` (when it was recorded).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/cloudevents+json"


class CloudEvent(BaseModel):
    model_config = ConfigDict(frozen=True, extra="allow")

    id: str
    source: str
    specversion: str = SPEC_VERSION
    type: str
    subject: str | None = None
    time: datetime
    datacontenttype: str = "application/json"
    agencyid: str = Field(description="the tenant (agency) this event belongs to")
    actor: str | None = Field(default=None, description="principal that caused the event")
    traceparent: str | None = None
    recordedtime: datetime | None = None
    data: dict[str, Any]

    @property
    def event_name(self) -> str:
        """`observation_recorded` from `org.miiwrap.fidelity.observation_recorded.v1`."""
        return self.type.split(".")[-2]

    @property
    def schema_version(self) -> int:
        return int(self.type.split(".")[-1].removeprefix("v"))

    @property
    def service(self) -> str:
        return self.source.rsplit("/", 1)[-1]

    def to_json(self) -> bytes:
        return self.model_dump_json(exclude_none=True).encode()

    @classmethod
    def from_json(cls, raw: bytes | str) -> CloudEvent:
        """Parsed and validated in one pass by pydantic-core (a consumer reads thousands
        a second); anything not a CloudEvent raises `ValidationError`."""
        return cls.model_validate_json(raw)


def event_type(service: str, event_name: str, version: int) -> str:
    return f"org.miiwrap.{service}.{event_name}.v{version}"


def event_source(service: str) -> str:
    return f"/miiwrap/{service}"
