"""Settings of the certification service (environment variables prefixed `CERTIFICATION_`)."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from shared.config import ServiceSettings

PORT = 8004


class CertificationSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CERTIFICATION_", extra="ignore")

    service_name: str = "certification"
    consumer_batch_size: int = Field(
        default=5000,
        ge=1,
        description="upstream messages taken in per transaction when a backlog waits (a bulk "
        "import): each batch evaluates every practitioner it touches once, so larger "
        "batches evaluate less often; without a backlog a batch is what has arrived",
    )
    consumer_gather_seconds: float = Field(
        default=2.0,
        ge=0,
        description="while a backlog waits, how long a batch goes on taking what the "
        "upstream relay publishes meanwhile (up to consumer_batch_size): fewer, larger "
        "batches re-evaluate each practitioner fewer times; at light load (nothing "
        "waiting) a message is taken in at once",
    )
    clock_interval_seconds: float = Field(
        default=3600.0,
        gt=0,
        description="how often the clock re-evaluates practitioners whose state time can move",
    )
    clock_batch_size: int = Field(
        default=200, ge=1, description="practitioners re-evaluated per clock transaction"
    )
    import_window_overdue_hours: float = Field(
        default=24.0,
        gt=0,
        description="an import window open longer than this is reported overdue (GET "
        "/import-windows, and a warning from the clock): its agency's apps hear nothing",
    )
    rebuild_workers: int | None = Field(
        default=None,
        ge=0,
        description="worker processes a rebuild folds the practitioners in while the service "
        "reads and writes the database (started by the first rebuild, stopped with the "
        "service); 0: the service process folds them itself; unset: one per CPU the "
        "process may run on, at most 4 (each worker holds its own memory)",
    )
    rebuild_fold_job_size: int = Field(
        default=250,
        ge=1,
        description="practitioners a rebuild hands a worker process at a time; an agency "
        "that fits in one job is folded in the service process",
    )
    rebuild_workers_from: int = Field(
        default=20_000,
        ge=0,
        description="the events in the log of an agency whose rebuild starts the worker "
        "processes (each costs about half a second of CPU to start: a smaller agency folds "
        "faster inline); while they run they fold every rebuild of more than one job",
    )
    rebuild_workers_idle_seconds: float = Field(
        default=10.0,
        gt=0,
        description="worker processes no rebuild has used for this long exit (each holds "
        "its own memory); a series of rebuilds keeps them",
    )
    public_url: str | None = Field(
        default=None,
        description="the service's public base URL (https://host[/path]): portable credentials "
        "are issued only when it is set, since their ids, the agencies' did:web DIDs and "
        "status lists live under it",
    )
    credential_key_secret: SecretStr | None = Field(
        default=None,
        description="encrypts the agencies' credential signing keys at rest (PKCS#8); keep "
        "it in a secret store and never change it without re-encrypting the keys",
    )

    @property
    def credential_base_url(self) -> str | None:
        return self.public_url.rstrip("/") if self.public_url else None


def certification_settings(settings: ServiceSettings) -> CertificationSettings:
    """The running service's settings with their certification fields."""
    if not isinstance(settings, CertificationSettings):
        raise TypeError("the certification handlers run only in the certification service")
    return settings
