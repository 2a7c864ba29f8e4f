"""Certification fixtures: the service running against the harness's real servers.

The service clock is set to `TODAY` (a fixed date after the canonical grant), so
evaluations are reproducible; tests move it with `certification.tick(...)`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from services.certification.adapters.clock import SettableClock
from services.certification.bootstrap import create_service_app
from services.certification.config import CertificationSettings
from shared.testing.apps import running
from tests.certification.certification_client import CertificationApi
from tests.certification.upstream import TODAY


@pytest.fixture
def certification_settings(settings_for: Callable[..., Any]) -> CertificationSettings:
    settings: CertificationSettings = settings_for(CertificationSettings, db_pool_max=10)
    return settings


@pytest.fixture
async def certification(
    certification_settings: CertificationSettings, agency_id: str
) -> AsyncIterator[CertificationApi]:
    clock = SettableClock(TODAY)
    app = create_service_app(certification_settings, clock)
    async with running(app) as client:
        yield CertificationApi(client, certification_settings, agency_id, app, clock)
