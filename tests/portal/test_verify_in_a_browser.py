"""Anyone, signed in or not, checks a practitioner's credential on the public verification
page: pasted or as the badge image, each check in words; nonsense is refused in words."""

from __future__ import annotations

import httpx
import pytest
from playwright.async_api import Page, expect

from shared.testing.apps import bearer
from tests.portal.browsing import check_page
from tests.portal.seed import CERTIFIED
from tests.portal.stack import Stack


async def carried_credential(stack: Stack) -> tuple[str, bytes]:
    """The certified practitioner's active credential (JWT) and badge, as they download them."""
    settings = stack.settings["certification"]
    headers = bearer(settings, stack.agency_id, "practitioner", subject=CERTIFIED)
    base = f"{stack.urls['certification']}/practitioners/{CERTIFIED}/credentials"
    async with httpx.AsyncClient(headers=headers, timeout=30) as http:
        held = (await http.get(base)).json()
        [active] = [c for c in held if c["status"] == "active"]
        token = (await http.get(f"{base}/{active['credential_id']}")).json()["jwt"]
        badge = (await http.get(f"{base}/{active['credential_id']}/badge.png")).content
    return str(token), badge


@pytest.mark.timeout(300)
async def test_a_credential_pasted_or_uploaded_is_checked_without_signing_in(
    stack: Stack, page: Page
) -> None:
    token, badge = await carried_credential(stack)
    await page.goto(f"{stack.portal_url}/verify")
    await page.get_by_label("Paste the credential").fill(token)
    await page.get_by_role("button", name="Check the credential").click()
    verdict = page.get_by_role("heading", level=2).first
    await expect(verdict).to_contain_text("genuine and in force")
    await expect(page.locator("table")).to_contain_text("not revoked on the issuer's status list")
    await check_page(page, "verify-verified")

    await page.get_by_label("Paste the credential").fill("")
    await page.get_by_label("Or upload the badge image").set_input_files(
        files=[{"name": "badge.png", "mimeType": "image/png", "buffer": badge}]
    )
    await page.get_by_role("button", name="Check the credential").click()
    await expect(page.get_by_role("heading", level=2).first).to_contain_text("genuine")

    header, payload, _ = token.split(".")
    await page.get_by_label("Paste the credential").fill(f"{header}.{payload}.AAAA")
    await page.get_by_role("button", name="Check the credential").click()
    await expect(page.get_by_role("heading", level=2).first).to_contain_text("Do not rely")

    await page.get_by_label("Paste the credential").fill("a shopping list")
    await page.get_by_role("button", name="Check the credential").click()
    await expect(page.locator(".error-summary")).to_contain_text("not a credential")
