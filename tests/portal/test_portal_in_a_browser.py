"""The portal in a real browser against the real stack: each role's pages, the paths
people take, and every page screenshotted and checked with axe-core."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.async_api import Page, expect

from tests.portal.browsing import check_page, sign_in, sign_in_as_practitioner
from tests.portal.seed import AT_RISK, CERTIFIED, OTHER_AGENCY, TODAY
from tests.portal.stack import Stack

# the first test of a run also waits for the shared stack and its seeded agencies
pytestmark = pytest.mark.timeout(300)


async def test_a_supervisor_reaches_the_at_risk_practitioner_and_the_reason_in_three_clicks(
    stack: Stack, page: Page
) -> None:
    await sign_in(page, stack.portal_url, "Sam, supervisor")
    assert page.url.endswith("/board")  # the landing page
    clicks = 0
    first = page.locator("table.board tbody tr").first
    await expect(first).to_contain_text("at risk")
    await first.get_by_role("link").click()
    clicks += 1
    await page.wait_for_load_state("networkidle")
    # prac-risk, or prac-pat once the observation test made it at risk too
    assert re.search(rf"/practitioners/({AT_RISK}|{CERTIFIED})$", page.url), page.url
    await expect(page.locator("#certification")).to_contain_text("at risk")
    reason = page.locator("#certification tr.unmet").first
    await expect(reason).to_be_visible()
    await expect(reason).to_contain_text(re.compile(r"\d"))  # the reason, with its numbers
    assert clicks <= 3


async def test_each_role_signs_in_and_lands_on_the_page_for_its_first_question(
    stack: Stack, page: Page
) -> None:
    landings = {
        "Ada, agency admin": "/board",
        "Sam, supervisor": "/board",
        "Ana, coach": "/team",
        "Olu, observer": "/observe",
        "Aud, auditor": "/board",
    }
    for label, path in landings.items():
        await page.context.clear_cookies()
        await sign_in(page, stack.portal_url, label)
        assert page.url.endswith(path), (label, page.url)
        await expect(page.get_by_role("heading", level=1)).to_be_visible()
    await page.context.clear_cookies()
    await sign_in_as_practitioner(page, stack.portal_url, CERTIFIED)
    assert page.url.endswith(f"/practitioners/{CERTIFIED}")
    await expect(page.get_by_role("heading", level=1)).to_have_text(CERTIFIED)


async def test_another_agencys_practitioner_is_not_found(stack: Stack, page: Page) -> None:
    await sign_in(page, stack.portal_url, "Ada, agency admin")
    response = await page.goto(f"{stack.portal_url}/practitioners/{OTHER_AGENCY}")
    assert response is not None and response.status == 404
    await expect(page.get_by_role("heading", level=1)).to_have_text("Not found")
    await check_page(page, "not-found")


async def test_a_practitioner_cannot_open_a_colleagues_page(stack: Stack, page: Page) -> None:
    await sign_in_as_practitioner(page, stack.portal_url, CERTIFIED)
    response = await page.goto(f"{stack.portal_url}/practitioners/{AT_RISK}")
    assert response is not None and response.status == 403
    await expect(page.locator("main")).to_contain_text("only your own page")
    await expect(page.locator("main")).not_to_contain_text("Requirements")


async def test_the_board_filters_in_place_and_the_as_of_picker_redraws_the_requirements(
    stack: Stack, page: Page
) -> None:
    await sign_in(page, stack.portal_url, "Ada, agency admin")
    await page.get_by_label("Status").select_option("in_progress")  # htmx swaps the table
    await expect(page).to_have_url(re.compile(r"status=in_progress"))
    rows = page.locator("table.board tbody tr")
    await expect(rows.first).to_contain_text("in progress")
    assert "at risk" not in await page.locator("table.board tbody").inner_text()
    await expect(page.locator(".counts")).to_contain_text("at risk")  # counts stay agency-wide

    await page.goto(f"{stack.portal_url}/practitioners/{CERTIFIED}")
    day = (TODAY - timedelta(days=200)).isoformat()
    await page.get_by_label("Show the certification as of").fill(day)
    await page.get_by_role("button", name="Show").click()
    await expect(page.locator("#certification-title")).to_have_text(f"Certification as of {day}")
    await expect(page.locator("#certification")).to_contain_text("not met")
    assert page.url.endswith(f"/practitioners/{CERTIFIED}")  # redrawn in place
