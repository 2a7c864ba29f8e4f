"""Settings shared by every service; each service subclasses with its own env prefix.

`LEARNING_DATABASE_URL`, `FIDELITY_NATS_URL`, … configure one service; nothing in the
business code reads the environment directly.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_JWT_SECRET = "change-me-local-development-secret"

_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class ServiceSettings(BaseSettings):
    """Fields every service has. Subclasses set `model_config` with their env prefix."""

    model_config = SettingsConfigDict(extra="ignore")

    service_name: str = Field(description="learning, coaching, fidelity or certification")
    environment: Literal["development", "test", "production"] = "development"
    database_url: str = "postgresql://postgres@127.0.0.1:54329/miiwrap"
    db_schema: str = Field(
        default="", description="PostgreSQL schema; defaults to the service name"
    )
    db_pool_min: int = 1
    db_pool_max: int = 10
    db_connect_timeout_seconds: float = 5.0
    db_startup_timeout_seconds: float = Field(
        default=120.0, description="how long start-up retries an unreachable database"
    )
    nats_url: str = "nats://127.0.0.1:4222"
    nats_user: str | None = None
    nats_password: str | None = None
    subject_root: str = Field(
        default="miiwrap", description="first token of every NATS subject and stream name"
    )
    relay_batch_size: int = 500
    relay_poll_interval_seconds: float = 1.0
    relay_ack_timeout_seconds: float = 5.0
    relay_lease_seconds: float = Field(
        default=10.0,
        description="a leader that has not renewed its lease for this long is replaced",
    )
    stream_replicas: int = Field(
        default=1,
        ge=1,
        le=5,
        description="replicas of a stream the service creates (R3 in a cluster)",
    )
    stream_max_age_days: float = Field(
        default=0, ge=0, description="age limit of a stream the service creates (0: none)"
    )
    stream_max_bytes: int = Field(
        default=-1, description="size limit of a stream the service creates (-1: none)"
    )
    consumer_batch_size: int = 100
    lag_sample_seconds: float = Field(
        default=5.0, description="how often relay and consumer lag are sampled for /metrics"
    )
    consumer_max_deliver: int = 5
    consumer_ack_wait_seconds: float = Field(
        default=10.0,
        gt=0,
        description="an unacknowledged message is redelivered after this long (a crashed "
        "replica's batch waits this long); applies when the consumer is created",
    )
    jwt_secret: str = DEFAULT_JWT_SECRET
    jwt_algorithm: Literal["HS256", "RS256"] = "HS256"
    jwt_issuer: str = "miiwrap-local"
    jwt_audience: str = "miiwrap"
    jwks_url: str | None = None
    max_body_bytes: int = 5 * 1024 * 1024

    @model_validator(mode="after")
    def _default_schema(self) -> ServiceSettings:
        if not self.db_schema:
            self.db_schema = self.service_name
        return self

    @field_validator("db_schema", "subject_root")
    @classmethod
    def _is_identifier(cls, value: str) -> str:
        if value and not _IDENTIFIER.match(value):
            raise ValueError("must be a lowercase identifier: letters, digits and underscores")
        return value

    @model_validator(mode="after")
    def _refuse_default_secret_in_production(self) -> ServiceSettings:
        if self.environment == "production":
            if self.jwt_algorithm == "HS256" and self.jwt_secret == DEFAULT_JWT_SECRET:
                raise ValueError("production refuses the default JWT secret; set a real one")
            if self.jwt_algorithm == "RS256" and not self.jwks_url:
                raise ValueError("production with RS256 needs a JWKS URL")
        return self

    @property
    def stream_name(self) -> str:
        """The JetStream stream holding this service's events."""
        return stream_name(self.subject_root, self.service_name)


def stream_name(subject_root: str, service: str) -> str:
    return f"{subject_root}_{service}".upper()


def event_subject(subject_root: str, service: str, agency_id: str, event_name: str) -> str:
    """`miiwrap.<service>.<agency>.<event>`: the tenant is a token so NATS can isolate it."""
    return f"{subject_root}.{service}.{agency_id}.{event_name}"
