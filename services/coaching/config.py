"""Settings of the coaching service (environment variables prefixed `COACHING_`)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from shared.config import ServiceSettings

PORT = 8002


class CoachingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="COACHING_", extra="ignore")

    service_name: str = "coaching"
