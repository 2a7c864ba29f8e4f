"""Fixtures of the portal tests, layered: one live stack and one browser for the package,
a fresh browser context (its own cookies) per test."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from playwright.async_api import Browser, Page, async_playwright

from shared.servers import NatsServer, PostgresServer
from shared.testing.plugin import DATABASE
from tests.portal.browsing import CHROMIUM, CHROMIUM_ARGS
from tests.portal.seed import agency_apis, seed
from tests.portal.stack import Stack, live_stack


@pytest.fixture(scope="package")
async def stack(postgres_server: PostgresServer, nats_server: NatsServer) -> AsyncIterator[Stack]:
    """Four services and the portal on free ports, with agency A and B seeded once."""
    suffix = uuid.uuid4().hex[:8]
    agency, other = f"agency-{suffix}", f"other-{suffix}"
    async with live_stack(
        postgres_server.dsn(DATABASE), nats_server.url, f"portal{suffix}", agency
    ) as live:
        async with httpx.AsyncClient(timeout=30) as http:
            await seed(
                agency_apis(http, live.urls, live.settings, agency),
                agency_apis(http, live.urls, live.settings, other),
            )
        yield live


@pytest.fixture(scope="package")
async def browser() -> AsyncIterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail("the browser tests need Debian's chromium: apt-get install -y chromium")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        yield launched
        await launched.close()


@pytest.fixture
async def page(browser: Browser) -> AsyncIterator[Page]:
    # bypass_csp: axe-core is injected as an inline script, which the portal's CSP forbids
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    context.set_default_timeout(15_000)
    opened = await context.new_page()
    yield opened
    await context.close()
