"""The coaching service running against the harness's real PostgreSQL and NATS."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from services.coaching.bootstrap import create_service_app
from services.coaching.config import CoachingSettings
from shared.testing.apps import running, runtime_of
from shared.testing.roster import RosterAnnouncer
from tests.coaching.coaching_api import CoachingApi


@pytest.fixture
async def api(
    settings_for: Callable[..., Any], agency_id: str, roster: RosterAnnouncer
) -> AsyncIterator[CoachingApi]:
    settings: CoachingSettings = settings_for(CoachingSettings)
    app = create_service_app(settings)
    async with running(app) as client:
        roster.copies.append(runtime_of(app).pool)
        yield CoachingApi(
            client=client,
            settings=settings,
            runtime=runtime_of(app),
            agency_id=agency_id,
            roster=roster,
            app=app,
        )
