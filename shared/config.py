"""Settings shared by every service; each service subclasses with its own env prefix.

`LEARNING_DATABASE_URL`, `FIDELITY_NATS_URL`, … configure one service; nothing in the
business code reads the environment directly.
"""

from __future__ import annotations

import re
from typing import Literal
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.naming import subject_token
from shared.partition_subjects import NO_SUBJECT_KEY

DEFAULT_JWT_SECRET = "change-me-local-development-secret"

_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
MIN_JWT_SECRET_BYTES = 32


class ServiceSettings(BaseSettings):
    """Fields every service has. Subclasses set `model_config` with their env prefix."""

    model_config = SettingsConfigDict(extra="ignore")

    service_name: str = Field(description="learning, coaching, fidelity or certification")
    environment: Literal["development", "test", "production"] = "development"
    # secrets are SecretStr: `repr`, `str` and tracebacks show `**********`, never the value
    database_url: SecretStr = SecretStr("postgresql://postgres@127.0.0.1:54329/miiwrap")
    database_password: SecretStr | None = Field(
        default=None,
        description="the database password, kept out of the URL so any characters work "
        "(base64's / + =); replaces a password the URL has",
    )
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
    nats_password: SecretStr | None = None
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
    stream_partitions: int = Field(
        default=1,
        ge=1,
        le=256,
        description="partitions by practitioner of a stream the service creates; each "
        "consumer group spreads them over the service's replicas",
    )
    partition_lease_seconds: float = Field(
        default=10.0,
        gt=0,
        description="a replica that has not renewed its partition claims for this long "
        "loses them to the others",
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
    jwt_secret: SecretStr = SecretStr(DEFAULT_JWT_SECRET)
    jwt_algorithm: Literal["HS256", "RS256"] = "HS256"
    jwt_issuer: str = "miiwrap-local"
    jwt_audience: str = "miiwrap"
    jwks_url: str | None = None
    max_token_lifetime_seconds: int = Field(
        default=24 * 3600, ge=60, description="a token valid for longer (exp - iat) is refused"
    )
    max_body_bytes: int = 5 * 1024 * 1024
    idempotency_key_ttl_hours: float = Field(
        default=24.0,
        gt=0,
        description="how long an Idempotency-Key is remembered; later it names a new request",
    )
    idempotency_lease_seconds: float = Field(
        default=30.0,
        gt=0,
        description="a keyed request unanswered for this long (its process died) may be "
        "retried; before that a retry is told the first is still in flight (409)",
    )
    max_json_depth: int = Field(
        default=64, ge=2, description="deepest nesting a JSON body may have"
    )
    max_header_bytes: int = Field(
        default=16 * 1024, description="all request headers together; more is 431"
    )
    gc_settle_after_start: bool = Field(
        default=True,
        description="freeze what a started service holds out of the garbage collector's "
        "scans and widen its thresholds (shared/collector.py): short, rare GC pauses",
    )
    import_max_bytes: int = Field(
        default=64 * 1024 * 1024, ge=1, description="largest NDJSON body POST /imports takes"
    )
    import_max_lines: int = Field(default=200_000, ge=1, description="most lines in one import")
    import_batch_lines: int = Field(
        default=200, ge=1, description="lines stored per transaction (a savepoint each)"
    )
    import_poll_seconds: float = Field(
        default=0.5,
        gt=0,
        description="how often the import worker looks for running imports (one taken in "
        "by its own process starts at once)",
    )
    metrics_token: SecretStr | None = Field(
        default=None,
        description="bearer token a Prometheus scraper sends to /metrics; without one, "
        "/metrics is open outside production and closed in production",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["auto", "json", "console"] = Field(
        default="auto", description="auto: JSON lines in production, console otherwise"
    )

    @model_validator(mode="after")
    def _default_schema(self) -> ServiceSettings:
        if not self.db_schema:
            self.db_schema = self.service_name
        return self

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("db_schema", "subject_root")
    @classmethod
    def _is_identifier(cls, value: str) -> str:
        if value and not _IDENTIFIER.match(value):
            raise ValueError("must be a lowercase identifier: letters, digits and underscores")
        return value

    @model_validator(mode="after")
    def _refuse_weak_settings_in_production(self) -> ServiceSettings:
        if self.environment != "production":
            return self
        if self.jwt_algorithm == "HS256":
            secret = self.jwt_secret.get_secret_value()
            if secret == DEFAULT_JWT_SECRET:
                raise ValueError("production refuses the default JWT secret; set a real one")
            if len(secret.encode()) < MIN_JWT_SECRET_BYTES:
                raise ValueError(
                    f"production needs a JWT secret of at least {MIN_JWT_SECRET_BYTES} bytes "
                    "(an empty or short one is refused)"
                )
        if self.jwt_algorithm == "RS256" and not self.jwks_url:
            raise ValueError("production with RS256 needs a JWKS URL")
        if self.jwks_url and urlsplit(self.jwks_url).scheme != "https":
            raise ValueError("production needs an https:// JWKS URL (keys over http can be forged)")
        if self.max_token_lifetime_seconds > 7 * 24 * 3600:
            raise ValueError("production allows tokens valid for at most 7 days")
        return self

    @property
    def database_dsn(self) -> str:
        """The database URL with its password, for the driver only (never log it)."""
        url = self.database_url.get_secret_value()
        if self.database_password is None:
            return url
        return with_password(url, self.database_password.get_secret_value())

    @property
    def database_location(self) -> str:
        """The database URL without its password: safe to log."""
        return masked_url(self.database_dsn)

    @property
    def stream_name(self) -> str:
        """The JetStream stream holding this service's events."""
        return stream_name(self.subject_root, self.service_name)


def stream_name(subject_root: str, service: str) -> str:
    return f"{subject_root}_{service}".upper()


def event_subject(
    subject_root: str, service: str, agency_id: str, event_name: str, about: str | None = None
) -> str:
    """`miiwrap.<service>.<agency>.<event>.<about>`: the tenant is a token so NATS can
    isolate it; `about` (the event's subject, `_` for none) is what the stream partitions
    by (shared/partition_subjects.py).

    Each part is one escaped token, so no id can add a token or a wildcard."""
    tokens = (subject_root, service, agency_id, event_name, about or NO_SUBJECT_KEY)
    return ".".join(subject_token(t) for t in tokens)


def with_password(url: str, password: str) -> str:
    """`url` with `password` percent-encoded into it (drivers decode it back)."""
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    user = quote(unquote(parts.username or ""), safe="")
    return urlunsplit(parts._replace(netloc=f"{user}:{quote(password, safe='')}@{host}"))


def masked_url(url: str) -> str:
    """`postgresql://user:secret@host/db` → `postgresql://user:***@host/db`."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc}"))
