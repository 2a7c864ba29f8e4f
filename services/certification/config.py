"""Settings of the certification service (environment variables prefixed `CERTIFICATION_`)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from shared.config import ServiceSettings

PORT = 8004


class CertificationSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CERTIFICATION_", extra="ignore")

    service_name: str = "certification"
