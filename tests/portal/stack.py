"""The whole system over real HTTP: four services and the portal, each on a free port.

The services run on the harness's PostgreSQL and NATS (a schema and subject root of the
stack's own); the portal calls them by URL like in production, and a browser calls it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any

from services.certification.bootstrap import create_service_app as certification_app
from services.certification.config import CertificationSettings
from services.coaching.bootstrap import create_service_app as coaching_app
from services.coaching.config import CoachingSettings
from services.fidelity.bootstrap import create_service_app as fidelity_app
from services.fidelity.config import FidelitySettings
from services.learning.bootstrap import create_service_app as learning_app
from services.learning.config import LearningSettings
from services.portal.bootstrap import create_portal_app
from services.portal.config import DemoIdentity, PortalSettings
from shared.config import ServiceSettings
from shared.testing.served import serving

JWT_SECRET = "portal-browser-tests-secret-of-at-least-32-bytes"
IDENTITIES = [
    DemoIdentity(subject="admin-ada", roles=["admin"], label="Ada, agency admin"),
    DemoIdentity(subject="sup-sam", roles=["supervisor"], label="Sam, supervisor"),
    DemoIdentity(subject="coach-ana", roles=["coach"], label="Ana, coach"),
    DemoIdentity(subject="observer-olu", roles=["observer"], label="Olu, observer"),
    DemoIdentity(subject="auditor-aud", roles=["auditor"], label="Aud, auditor"),
]


@dataclass
class Stack:
    urls: dict[str, str]
    settings: dict[str, ServiceSettings]
    portal_url: str
    agency_id: str


CREDENTIALS_URL = "https://certs.example.org/miiwrap"


def service_settings(database_url: str, nats_url: str, name: str, **jwt: Any) -> dict[str, Any]:
    common = {
        "environment": "test",
        "database_url": database_url,
        "nats_url": nats_url,
        "subject_root": name,
        "relay_poll_interval_seconds": 0.2,
        "db_pool_max": 5,
        "jwt_secret": JWT_SECRET,
        **jwt,
    }
    return {
        # the lapse job would lapse concepts of a history written in one go
        "learning": LearningSettings(
            db_schema=f"{name}_learning", lapse_check_interval_seconds=0, **common
        ),
        "coaching": CoachingSettings(db_schema=f"{name}_coaching", **common),
        "fidelity": FidelitySettings(db_schema=f"{name}_fidelity", **common),
        "certification": CertificationSettings(
            db_schema=f"{name}_certification",
            public_url=CREDENTIALS_URL,  # portable credentials on: the verify page checks one
            **{**common, "db_pool_max": 10},
        ),
    }


FACTORIES = {
    "learning": learning_app,
    "coaching": coaching_app,
    "fidelity": fidelity_app,
    "certification": certification_app,
}


@asynccontextmanager
async def services_served(settings: dict[str, Any]) -> AsyncIterator[dict[str, str]]:
    async with AsyncExitStack() as stack:
        urls = {
            name: await stack.enter_async_context(serving(FACTORIES[name](value)))
            for name, value in settings.items()
        }
        yield urls


def portal_settings(urls: dict[str, str], agency_id: str, **overrides: Any) -> PortalSettings:
    values: dict[str, Any] = {
        "environment": "test",
        "learning_url": urls["learning"],
        "coaching_url": urls["coaching"],
        "fidelity_url": urls["fidelity"],
        "certification_url": urls["certification"],
        "session_secret": "portal-test-session-secret-of-enough-bytes",
        "local_jwt_secret": JWT_SECRET,
        "local_agency": agency_id,
        "demo_identities": IDENTITIES,
        **overrides,
    }
    return PortalSettings(**values)


@asynccontextmanager
async def live_stack(
    database_url: str, nats_url: str, name: str, agency_id: str
) -> AsyncIterator[Stack]:
    settings = service_settings(database_url, nats_url, name)
    async with services_served(settings) as urls:
        portal = create_portal_app(portal_settings(urls, agency_id))
        async with serving(portal) as portal_url:
            yield Stack(urls, settings, portal_url, agency_id)
