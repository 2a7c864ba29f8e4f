"""OpenID Connect sign-in (authorization code + PKCE) against a local provider.

The provider names the agency and groups under its own claim names, which the portal's
settings map; the services trust the provider's keys (RS256 over its JWKS), so the
page a signed-in supervisor lands on is drawn with the provider's own access token.
"""

from __future__ import annotations

import uuid
from contextlib import AsyncExitStack

import httpx
import pytest
from playwright.async_api import Page, expect

from services.portal.bootstrap import create_portal_app
from shared.servers import NatsServer, PostgresServer
from shared.testing.plugin import DATABASE
from shared.testing.served import serving
from tests.portal.oidc_provider import CLIENT_ID, CLIENT_SECRET, Person, Provider, provider_app
from tests.portal.stack import FACTORIES, portal_settings, service_settings

AGENCY = "oidc-agency"


@pytest.mark.timeout(300)
async def test_a_supervisor_signs_in_through_the_agencys_identity_provider(
    postgres_server: PostgresServer, nats_server: NatsServer, page: Page
) -> None:
    provider = Provider(Person("sup-olga", AGENCY, ["wrap-supervisors", "staff"], "Olga"))
    async with AsyncExitStack() as stack:
        provider.issuer = await stack.enter_async_context(serving(provider_app(provider)))
        name = f"oidc{uuid.uuid4().hex[:8]}"
        settings = service_settings(
            postgres_server.dsn(DATABASE),
            nats_server.url,
            name,
            jwt_algorithm="RS256",
            jwks_url=f"{provider.issuer}/jwks",
            jwt_issuer=provider.issuer,
            jwt_audience="miiwrap",
        )
        urls = {
            service: await stack.enter_async_context(serving(FACTORIES[service](settings[service])))
            for service in ("certification", "fidelity")
        }
        urls |= {"learning": "http://127.0.0.1:9", "coaching": "http://127.0.0.1:9"}
        portal = create_portal_app(
            portal_settings(
                urls,
                AGENCY,
                sign_in="oidc",
                local_jwt_secret=None,
                oidc_discovery_url=f"{provider.issuer}/.well-known/openid-configuration",
                oidc_client_id=CLIENT_ID,
                oidc_client_secret=CLIENT_SECRET,
                oidc_agency_claim="https://agency.example/tenant",
                oidc_roles_claim="groups",
                oidc_role_map={"wrap-supervisors": "supervisor"},
            )
        )
        portal_url = await stack.enter_async_context(serving(portal))

        await page.goto(f"{portal_url}/signin")
        await page.get_by_role("link", name="Sign in with your agency").click()
        await page.wait_for_load_state("networkidle")

        assert page.url == f"{portal_url}/board", page.url
        assert len(provider.verified_pkce) == 1  # the code was redeemed with its verifier
        await expect(page.get_by_role("heading", level=1)).to_have_text("Agency board")
        await expect(page.locator("header")).to_contain_text(f"Olga · {AGENCY}")
        await expect(page.locator("main")).to_contain_text("No practitioners yet")
        cookie = next(c for c in await page.context.cookies() if c["name"] == "miiwrap_portal")
        assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"

        # the same flow replayed with a stolen code and no verifier is refused by the provider
        async with httpx.AsyncClient() as http:
            answer = await http.post(
                f"{provider.issuer}/token",
                data={"grant_type": "authorization_code", "code": "stolen", "redirect_uri": "x"},
            )
        assert answer.status_code == 400
