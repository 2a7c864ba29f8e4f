"""Fidelity API fixtures: the service running against the harness's real servers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from services.fidelity.bootstrap import create_service_app
from services.fidelity.config import FidelitySettings
from shared.testing.apps import running, runtime_of
from shared.testing.roster import RosterAnnouncer
from tests.fidelity.fidelity_client import FidelityApi


@pytest.fixture
def fidelity_settings(settings_for: Callable[..., Any]) -> FidelitySettings:
    settings: FidelitySettings = settings_for(FidelitySettings)
    return settings


@pytest.fixture
async def fidelity(
    fidelity_settings: FidelitySettings, agency_id: str, roster: RosterAnnouncer
) -> AsyncIterator[FidelityApi]:
    app = create_service_app(fidelity_settings)
    async with running(app) as client:
        roster.copies.append(runtime_of(app).pool)
        yield FidelityApi(client, fidelity_settings, agency_id, app, roster)
