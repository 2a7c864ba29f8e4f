"""The LRS on the learning service, against the harness's real PostgreSQL and NATS.

One app per test module (start-up and migrations once); each test gets an agency of
its own with a fresh LMS credential, so tests never see each other's Statements.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator

import nats
import pytest

from services.learning.bootstrap import create_service_app
from services.learning.config import LearningSettings
from shared.servers import NatsServer, PostgresServer
from shared.testing.apps import running
from shared.testing.plugin import DATABASE
from tests.learning.xapi.integration.lrs_client import Lms


def lrs_settings(
    postgres: PostgresServer, nats: NatsServer, **overrides: object
) -> LearningSettings:
    name = "x" + uuid.uuid4().hex[:12]
    values: dict[str, object] = {
        "environment": "test",
        "database_url": postgres.dsn(DATABASE),
        "db_schema": f"{name}_learning",
        "nats_url": nats.url,
        "subject_root": name,
        "relay_poll_interval_seconds": 0.1,
        "db_pool_max": 8,
        "lapse_check_interval_seconds": 0,
    }
    values.update(overrides)
    return LearningSettings(**values)


@pytest.fixture(scope="module")
async def running_lrs(
    postgres_server: PostgresServer, nats_server: NatsServer
) -> AsyncIterator[Lms]:
    settings = lrs_settings(postgres_server, nats_server)
    app = create_service_app(settings)
    roster_events = await nats.connect(nats_server.url)
    async with running(app) as client:
        yield Lms(client, settings, app, agency_id="", nats=roster_events)
    await roster_events.close()


async def new_agency(running_lrs: Lms) -> Lms:
    """A new agency, with an LMS credential issued by its admin."""
    lms = dataclasses.replace(running_lrs, agency_id="agency-" + uuid.uuid4().hex[:8])
    response = await lms.admin("POST", "/xapi-credentials", {"partner_name": "Moodle"})
    assert response.status_code == 201, response.text
    issued = response.json()
    return dataclasses.replace(lms, key=issued["key"], secret=issued["secret"])


@pytest.fixture
async def lms(running_lrs: Lms) -> Lms:
    """An agency of this test's own."""
    return await new_agency(running_lrs)


@pytest.fixture(scope="module")
async def module_lms(running_lrs: Lms) -> Lms:
    """An agency shared by the tests of one module (for a data set stored once)."""
    return await new_agency(running_lrs)
