"""An observer records an observation in the form the instrument builds; the
practitioner's page then shows the new score, and the board its effect."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.async_api import Page, expect

from tests.portal.browsing import sign_in
from tests.portal.seed import CERTIFIED, TODAY
from tests.portal.stack import Stack


@pytest.mark.timeout(300)
async def test_an_observation_recorded_in_the_form_shows_on_the_practitioner_and_the_board(
    stack: Stack, page: Page
) -> None:
    await sign_in(page, stack.portal_url, "Olu, observer")
    calibration = page.locator("#calibration-team-meeting-observation")
    await expect(calibration).to_contain_text("calibrated")
    await expect(calibration).not_to_contain_text("not calibrated")
    await expect(calibration).to_contain_text(re.compile(r"\d{4}-\d{2}-\d{2}"))  # its expiry
    await page.get_by_role("link", name=re.compile("Team Meeting Observation Tool")).first.click()
    await page.wait_for_load_state("networkidle")

    # sent empty: every problem at once, in a summary linking to its field, and inline
    await page.get_by_label("Meeting date").fill("")
    await page.get_by_role("button", name="Record the observation").click()
    summary = page.locator(".error-summary")
    await expect(summary).to_contain_text("Enter the id of the practitioner you observed")
    await expect(page.locator("#practitioner_id-error")).to_be_visible()
    await summary.get_by_role("link", name=re.compile("practitioner you observed")).click()
    await expect(page.get_by_label("Practitioner observed (id)")).to_be_focused()

    await page.get_by_label("Practitioner observed (id)").fill(CERTIFIED)
    await page.get_by_label("Meeting date").fill((TODAY - timedelta(days=2)).isoformat())
    await page.get_by_label("Setting", exact=True).fill("family home")
    absent = page.locator("input[type=radio][value=absent]")
    present = page.locator("input[type=radio][value=present]")
    count = await absent.count()
    assert count > 40  # the seed instrument's 53 indicators, one radio group each
    for index in range(count):
        await (present if index < 8 else absent).nth(index).check()
    await page.get_by_role("button", name="Record the observation").click()
    await page.wait_for_load_state("networkidle")

    recorded = page.locator(".success")
    await expect(recorded).to_contain_text(f"{CERTIFIED}, meeting of")
    score = re.search(r"(\d+\.\d)%", await recorded.inner_text())
    assert score is not None
    assert float(score.group(1)) < 50

    await page.context.clear_cookies()
    await sign_in(page, stack.portal_url, "Ada, agency admin")
    await page.goto(f"{stack.portal_url}/practitioners/{CERTIFIED}")
    newest = page.locator("#fidelity table tbody tr").first
    await expect(newest).to_contain_text(f"{score.group(1)}%")
    await expect(newest).to_contain_text("observer-olu")

    row = page.locator("table.board tbody tr", has=page.get_by_role("link", name=CERTIFIED))
    for _ in range(60):  # certification consumes the observation within a second or so
        await page.goto(f"{stack.portal_url}/board")
        if "at risk" in await row.inner_text():
            break
        await page.wait_for_timeout(500)
    await expect(row).to_contain_text("at risk")
