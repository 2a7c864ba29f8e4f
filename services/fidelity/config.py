"""Settings of the fidelity service (environment variables prefixed `FIDELITY_`)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from services.fidelity.domain.calibration import DEFAULT_CALIBRATION_BAR
from services.fidelity.domain.drift import DriftThresholds
from shared.config import ServiceSettings
from shared.service import Runtime

PORT = 8003


class FidelitySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="FIDELITY_", extra="ignore")

    service_name: str = "fidelity"
    import_batch_lines: int = Field(
        default=500,
        ge=1,
        description="lines stored per transaction: a batch's observations are checked and "
        "stored together (handlers/observation_batch.py), so a larger batch costs less "
        "per line (500: about a tenth less CPU than 200)",
    )
    calibration_bar: float = Field(
        default=DEFAULT_CALIBRATION_BAR,
        ge=0,
        le=1,
        description="Cohen's kappa against the gold standard that makes an observer calibrated",
    )
    drift_window: int = Field(
        default=3, ge=1, description="observations in the rolling mean of a practitioner's trend"
    )
    drift_trend_length: int = Field(
        default=3, ge=2, description="consecutive decreasing observations that make a trend"
    )
    drift_trend_min_drop: float = Field(
        default=5.0, ge=0, description="points a downward trend must lose from first to last"
    )

    @property
    def drift_thresholds(self) -> DriftThresholds:
        return DriftThresholds(
            window=self.drift_window,
            trend_length=self.drift_trend_length,
            trend_min_drop=self.drift_trend_min_drop,
        )


def fidelity_settings(runtime: Runtime) -> FidelitySettings:
    """The running service's settings with their fidelity fields."""
    settings = runtime.settings
    if not isinstance(settings, FidelitySettings):
        raise TypeError("the fidelity handlers run only in the fidelity service")
    return settings
