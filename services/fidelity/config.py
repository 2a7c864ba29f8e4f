"""Settings of the fidelity service (environment variables prefixed `FIDELITY_`)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from shared.config import ServiceSettings

PORT = 8003


class FidelitySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="FIDELITY_", extra="ignore")

    service_name: str = "fidelity"
