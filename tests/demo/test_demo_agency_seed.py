"""The demo agency: a year of practice seeded through the four APIs ends in the intended mix.

The four service apps run in-process against the harness's PostgreSQL and NATS (as in
tests/e2e); the seed talks to them over HTTP only. No periodic lapse check runs: the
lapse of the never-reviewed concepts is announced as their history is recorded.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import asyncpg
import httpx

from services.certification.bootstrap import create_service_app as certification_app
from services.certification.config import CertificationSettings
from services.coaching.bootstrap import create_service_app as coaching_app
from services.coaching.config import CoachingSettings
from services.fidelity.bootstrap import create_service_app as fidelity_app
from services.fidelity.config import FidelitySettings
from services.learning.bootstrap import create_service_app as learning_app
from services.learning.config import LearningSettings
from shared.auth import issue_token
from shared.config import ServiceSettings
from shared.testing.apps import running
from shared.testing.waiting import eventually
from system.demo_history.client import DemoApi
from system.demo_history.driver import seed_agency
from system.demo_history.local import today_utc
from system.demo_history.personas import PERSONAS
from system.local_data import DEMO_AGENCY, DEMO_XAPI_KEY

# the demo LMS credential, as make run configures it; no periodic lapse check
LMS = (DEMO_XAPI_KEY, "demo-lms-secret-for-the-test")
LEARNING_SETTINGS = {
    "lapse_check_interval_seconds": 0,
    "demo_xapi_key": LMS[0],
    "demo_xapi_secret": LMS[1],
}


@asynccontextmanager
async def four_services(
    settings_for: Callable[..., Any],
) -> AsyncIterator[tuple[dict[str, httpx.AsyncClient], list[ServiceSettings]]]:
    configured = {
        "learning": (learning_app, settings_for(LearningSettings, **LEARNING_SETTINGS)),
        "coaching": (coaching_app, settings_for(CoachingSettings)),
        "fidelity": (fidelity_app, settings_for(FidelitySettings)),
        "certification": (certification_app, settings_for(CertificationSettings, db_pool_max=10)),
    }
    async with AsyncExitStack() as stack:
        clients = {
            name: await stack.enter_async_context(running(create(settings)))
            for name, (create, settings) in configured.items()
        }
        yield clients, [s for _, s in configured.values()]


async def roster_statuses(client: httpx.AsyncClient, token: str) -> dict[str, str]:
    statuses: dict[str, str] = {}
    cursor: str | None = None
    while True:
        params = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        page = await client.get(
            "/practitioners", params=params, headers={"Authorization": f"Bearer {token}"}
        )
        body = page.json()
        for entry in body["items"]:
            levels = {level["level"]: level["status"] for level in entry["levels"]}
            statuses[entry["practitioner_id"]] = levels["facilitator"]
        cursor = body.get("next_cursor")
        if not cursor:
            return statuses


async def stored_events(database_url: str, settings: list[ServiceSettings]) -> dict[str, int]:
    """Events per service once nothing is in flight (two equal counts a second apart)."""
    connection = await asyncpg.connect(database_url)
    try:
        last: dict[str, int] = {}
        while True:
            counts = {
                s.service_name: await connection.fetchval(
                    f'SELECT count(*) FROM "{s.db_schema}".events'
                )
                for s in settings
            }
            if counts == last:
                return counts
            last = counts
            await asyncio.sleep(1.0)
    finally:
        await connection.close()


async def test_the_demo_agency_history_ends_certified_at_risk_lapsed_revoked_and_in_progress(
    settings_for: Callable[..., Any], database_url: str
) -> None:
    async with four_services(settings_for) as (clients, settings):

        def mint(subject: str, role: str) -> str:
            return issue_token(settings[0], subject=subject, agency_id=DEMO_AGENCY, roles=[role])

        anchor = today_utc()
        first = await seed_agency(DemoApi(clients, mint, lms=LMS), DEMO_AGENCY, anchor)
        assert first.practitioners == len(PERSONAS) >= 40
        assert first.created > 1000
        expected = {p.id: p.expect for p in PERSONAS}
        admin = mint("demo-admin", "admin")
        seen: dict[str, str] = {}

        async def settled() -> bool:
            seen.update(await roster_statuses(clients["certification"], admin))
            return seen == expected

        try:
            await eventually(settled, timeout=60)
        finally:
            wrong = {p: (s, expected.get(p)) for p, s in seen.items() if s != expected.get(p)}
            print("seeded in", round(first.seconds, 1), "s; off:", wrong)
        assert Counter(expected.values()) == {
            "certified": 20,
            "at_risk": 5,
            "lapsed": 1,
            "revoked": 1,
            "in_progress": 13,
        }

        for outcome in ("skipped", "pending"):  # every LMS statement became a record
            listed = await clients["learning"].get(
                "/xapi-mappings/statements",
                params={"outcome": outcome, "limit": 5},
                headers={"Authorization": f"Bearer {admin}"},
            )
            assert listed.json()["items"] == [], listed.json()["items"][:1]

        signals = await clients["fidelity"].get(
            "/drift-signals", params={"limit": 100}, headers={"Authorization": f"Bearer {admin}"}
        )
        drifting = {s["practitioner_id"] for s in signals.json()["items"]}
        assert "daniel-cohen" in drifting
        certified = {p for p, s in expected.items() if s == "certified"}
        assert drifting & certified == {"daniel-cohen"}

        before = await stored_events(database_url, settings)
        again = await seed_agency(DemoApi(clients, mint, lms=LMS), DEMO_AGENCY, anchor)
        assert (again.created, again.existing) == (0, first.created + first.existing)
        assert await stored_events(database_url, settings) == before
