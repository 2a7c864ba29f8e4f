"""Every page of the portal, as the role it is for: drawn (screenshot saved under the
run's artifacts and not blank) and without serious or critical axe-core violations."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from tests.portal.browsing import check_page, sign_in, sign_in_as_practitioner
from tests.portal.seed import AT_RISK, CERTIFIED
from tests.portal.stack import Stack

PAGES = {
    "Ada, agency admin": [
        ("board", "/board"),
        ("board-filtered", "/board?status=at_risk"),
        ("practitioner", f"/practitioners/{AT_RISK}"),
        ("practitioner-as-of", f"/practitioners/{CERTIFIED}?as_of=2026-01-01"),
        ("admin-roster", "/admin"),
        ("admin-practitioner", f"/admin/practitioners/{CERTIFIED}"),
        ("admin-policies", "/admin/policies"),
        ("admin-what-if", "/admin/policies/miiwrap-default/2"),
        ("admin-lms", "/admin/lms"),
        ("coach-as-admin", "/coach"),
    ],
    "Sam, supervisor": [("team-supervisor", "/team")],
    "Ana, coach": [("team-coach", "/team"), ("coach", "/coach")],
    "Olu, observer": [
        ("observe", "/observe"),
        ("observe-form", "/observe/team-meeting-observation/1"),
        ("forbidden", "/admin"),
    ],
}


@pytest.mark.timeout(400)
async def test_every_page_is_drawn_and_passes_axe(stack: Stack, page: Page) -> None:
    await page.goto(f"{stack.portal_url}/signin")
    await check_page(page, "signin")
    for label, pages in PAGES.items():
        await page.context.clear_cookies()
        await sign_in(page, stack.portal_url, label)
        for name, path in pages:
            await page.goto(f"{stack.portal_url}{path}")
            await page.wait_for_load_state("networkidle")
            await expect(page.get_by_role("heading", level=1)).to_be_visible()
            await check_page(page, name)
            if name != "forbidden":  # no section stands in for a service's refusal
                notices = await page.locator(".notice").all_inner_texts()
                assert not notices, (name, notices)
    await page.context.clear_cookies()
    await sign_in_as_practitioner(page, stack.portal_url, CERTIFIED)
    await check_page(page, "practitioner-own")


@pytest.mark.timeout(300)
async def test_the_board_and_a_practitioner_read_on_a_tablet(stack: Stack, page: Page) -> None:
    await page.set_viewport_size({"width": 820, "height": 1180})  # a tablet held upright
    await sign_in(page, stack.portal_url, "Sam, supervisor")
    await check_page(page, "tablet-board")
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 820, f"the board page scrolls sideways on a tablet ({width}px)"
    await page.goto(f"{stack.portal_url}/practitioners/{AT_RISK}")
    await check_page(page, "tablet-practitioner")
    assert await page.evaluate("document.documentElement.scrollWidth") <= 820
