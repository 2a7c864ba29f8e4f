"""Each service's app: health, readiness against the real servers, problem+json errors."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

import pytest

from services.certification.bootstrap import create_service_app as certification_app
from services.certification.config import CertificationSettings
from services.coaching.bootstrap import create_service_app as coaching_app
from services.coaching.config import CoachingSettings
from services.fidelity.bootstrap import create_service_app as fidelity_app
from services.fidelity.config import FidelitySettings
from services.learning.bootstrap import create_service_app as learning_app
from services.learning.config import LearningSettings
from shared.testing.apps import running

SERVICES = [
    (LearningSettings, learning_app),
    (CoachingSettings, coaching_app),
    (FidelitySettings, fidelity_app),
    (CertificationSettings, certification_app),
]


@pytest.mark.parametrize(
    ("settings_cls", "factory"), SERVICES, ids=lambda v: getattr(v, "__name__", "")
)
async def test_each_service_is_ready_when_its_database_and_nats_are_reachable(
    settings_for: Callable[..., Any], settings_cls: type, factory: Callable[..., Any]
) -> None:
    app = factory(settings_for(settings_cls))
    async with running(app) as client:
        await app.state.runtime.nats.wait_connected(10)
        assert (await client.get("/healthz")).json() == {"status": "ok"}
        ready = await client.get("/readyz")
        assert ready.status_code == 200
        body = ready.json()
        assert body["checks"] == {"database": "ok"}
        assert body["nats"] == "connected"
        tasks = body["tasks"]
        assert tasks[f"{app.state.settings.service_name}-relay"]["status"] == "running"
        assert {state["status"] for state in tasks.values()} == {"running"}


async def test_readiness_reports_nats_unreachable_without_taking_the_service_out(
    settings_for: Callable[..., Any],
) -> None:
    """The outbox keeps writes safe while NATS is away: the service stays ready."""
    app = fidelity_app(settings_for(FidelitySettings, nats_url="nats://127.0.0.1:1"))
    async with running(app) as client:
        ready = await client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json()["nats"] == "unreachable"
        assert (await client.get("/healthz")).status_code == 200


async def test_an_unknown_path_answers_with_problem_details(
    settings_for: Callable[..., Any],
) -> None:
    app = coaching_app(settings_for(CoachingSettings))
    async with running(app) as client:
        response = await client.get("/no-such-thing")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["title"] == "Not found"
    assert "/docs" in body["detail"]


def test_production_refuses_the_default_jwt_secret() -> None:
    with pytest.raises(ValueError, match="default JWT secret"):
        FidelitySettings(environment="production")


async def test_four_replicas_starting_together_on_a_new_schema_all_come_up(
    settings_for: Callable[..., Any],
) -> None:
    """Schema creation and migrations take turns under a lock: no replica fails."""
    settings = settings_for(FidelitySettings)
    apps = [fidelity_app(settings) for _ in range(4)]
    async with contextlib.AsyncExitStack() as stack:
        clients = await asyncio.gather(*(stack.enter_async_context(running(a)) for a in apps))
        for client in clients:
            assert (await client.get("/readyz")).status_code == 200
