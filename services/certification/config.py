"""Settings of the certification service (environment variables prefixed `CERTIFICATION_`)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.config import ServiceSettings

PORT = 8004


class CertificationSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CERTIFICATION_", extra="ignore")

    service_name: str = "certification"
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


def certification_settings(settings: ServiceSettings) -> CertificationSettings:
    """The running service's settings with their certification fields."""
    if not isinstance(settings, CertificationSettings):
        raise TypeError("the certification handlers run only in the certification service")
    return settings
