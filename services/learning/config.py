"""Settings of the learning service (environment variables prefixed `LEARNING_`)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from services.learning.domain.seed_catalog import SEED_CATALOG_VERSION
from shared.config import ServiceSettings

PORT = 8001


class LearningSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="LEARNING_", extra="ignore")

    service_name: str = "learning"
    catalog_version: str = Field(
        default=SEED_CATALOG_VERSION, description="catalog new enrollments follow"
    )
    desired_retention: float = Field(
        default=0.9, gt=0.0, lt=1.0, description="recall probability below which a concept is due"
    )
    lapse_grace_days: float = Field(
        default=30.0, ge=0.0, description="days overdue after which a concept is lapsed"
    )
    recent_failure_days: float = Field(
        default=30.0, ge=0.0, description="days a failed review or attempt keeps a concept shaky"
    )
    lapse_check_interval_seconds: float = Field(
        default=300.0, ge=0.0, description="how often the lapse check runs; 0 disables it"
    )
    xapi_page_limit: int = Field(
        default=100, ge=1, le=1000, description="most Statements one GET /xapi/statements returns"
    )
    xapi_combine_window_hours: float = Field(
        default=24.0,
        ge=0.0,
        description="outside a cmi5 registration, how far apart a learner's `completed` and "
        "`passed` on one module Activity may be and still combine into one attempt",
    )
    demo_xapi_key: str | None = Field(
        default=None, description="make run: a demo-agency LMS credential key to seed"
    )
    demo_xapi_secret: str | None = Field(default=None, description="…and its secret")
