"""Settings of the learning service (environment variables prefixed `LEARNING_`)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from shared.config import ServiceSettings

PORT = 8001


class LearningSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="LEARNING_", extra="ignore")

    service_name: str = "learning"
