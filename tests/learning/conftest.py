"""Learning API fixtures: the service running against the harness's real servers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from services.learning.bootstrap import create_service_app
from services.learning.config import LearningSettings
from shared.testing.apps import running, runtime_of
from shared.testing.roster import RosterAnnouncer
from tests.learning.learning_client import LearningApi


@pytest.fixture
def learning_settings(settings_for: Callable[..., Any]) -> LearningSettings:
    # the periodic lapse check is off: tests run it with their own clocks
    settings: LearningSettings = settings_for(LearningSettings, lapse_check_interval_seconds=0)
    return settings


@pytest.fixture
async def learning(
    learning_settings: LearningSettings, agency_id: str, roster: RosterAnnouncer
) -> AsyncIterator[LearningApi]:
    app = create_service_app(learning_settings)
    async with running(app) as client:
        roster.copies.append(runtime_of(app).pool)
        yield LearningApi(client, learning_settings, agency_id, app, roster)
