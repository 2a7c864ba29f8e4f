"""The admin's and the coach's forms in a browser: what is sent lands in the services,
what is wrong is said next to its field, and a service's refusal in its own words."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from playwright.async_api import Page, expect

from tests.portal.browsing import sign_in
from tests.portal.seed import AT_RISK, CERTIFIED, TODAY
from tests.portal.stack import Stack


@pytest.mark.timeout(200)
async def test_an_admin_registers_a_practitioner_and_sees_a_refusal_in_the_services_words(
    stack: Stack, page: Page
) -> None:
    newcomer = f"prac-{uuid.uuid4().hex[:6]}"
    await sign_in(page, stack.portal_url, "Ada, agency admin")
    await page.get_by_role("link", name="Admin").click()
    await page.get_by_label("Practitioner id").fill(newcomer)
    await page.get_by_label("Program start").fill(TODAY.isoformat())
    await page.get_by_label("Supervisor id (optional)").fill("sup-sam")
    await page.get_by_role("button", name="Register").click()
    await expect(page.locator(".success")).to_contain_text(f"{newcomer} is registered")
    await expect(page.get_by_role("row", name=re.compile(newcomer))).to_be_visible()

    # the same id again with another role: certification refuses, the page says why
    await page.get_by_label("Practitioner id").fill(newcomer)
    await page.get_by_label("Role in the program").select_option("supervisor")
    await page.get_by_label("Program start").fill(TODAY.isoformat())
    await page.get_by_role("button", name="Register").click()
    summary = page.locator(".error-summary")
    await expect(summary).to_be_visible()
    await expect(summary).to_contain_text(newcomer)


@pytest.mark.timeout(200)
async def test_a_coach_logs_a_session_and_an_incomplete_one_is_explained(
    stack: Stack, page: Page
) -> None:
    await sign_in(page, stack.portal_url, "Ana, coach")
    await page.get_by_role("link", name="Coach").click()
    await page.get_by_role("button", name="Log the session").click()
    await expect(page.locator(".error-summary")).to_contain_text("Choose the practitioner")
    await expect(page.locator(".error-summary")).to_contain_text("Tick at least one part")

    await page.locator("#practitioner_id").select_option(CERTIFIED)
    await page.get_by_label("Duration (minutes)").fill("45")
    await page.get_by_label("How it was held").select_option("virtual")
    await page.get_by_label("Practice").check()
    await page.get_by_label("Feedback").check()
    await page.get_by_label("ENG").check()
    await page.get_by_role("button", name="Log the session").click()
    await expect(page.locator(".success")).to_contain_text("Session logged")
    latest = page.locator("#recent-title + table tbody tr").first  # newest first
    await expect(latest).to_contain_text(TODAY.isoformat())
    await expect(latest).to_contain_text(CERTIFIED)
    await expect(latest).to_contain_text("45")
    await expect(latest).to_contain_text("practice, feedback")


@pytest.mark.timeout(200)
async def test_an_admin_revokes_and_reinstates_with_a_reason_and_a_second_reinstatement_is_refused(
    stack: Stack, page: Page
) -> None:
    person = f"prac-{uuid.uuid4().hex[:6]}"
    await sign_in(page, stack.portal_url, "Ada, agency admin")
    await page.goto(f"{stack.portal_url}/admin")
    await page.get_by_label("Practitioner id").fill(person)
    await page.get_by_label("Program start").fill(TODAY.isoformat())
    await page.get_by_role("button", name="Register").click()
    await page.get_by_role("link", name=f"Manage {person}").click()
    await page.get_by_role("button", name="Revoke").click()  # no reason: said inline
    await expect(page.locator(".error-summary")).to_contain_text("Give the reason")
    await page.locator("#revocations-reason").fill("falsified observation records (case 14)")
    await page.get_by_role("button", name="Revoke").click()  # nothing held: the service says so
    await expect(page.locator(".error-summary")).to_contain_text("only a held level")

    await page.goto(f"{stack.portal_url}/admin/practitioners/{AT_RISK}")
    await page.locator("#revocations-level").select_option("facilitator")
    await page.locator("#revocations-reason").fill("falsified observation records (case 14)")
    await page.get_by_role("button", name="Revoke").click()
    await expect(page.locator(".success")).to_contain_text("Certification revoked")
    await expect(page.locator("#revocations-level")).to_contain_text("facilitator (revoked)")
    for _ in range(2):
        await page.locator("#reinstatements-reason").fill("the HR case closed without finding")
        await page.get_by_role("button", name="Reinstate").click()
    await expect(page.locator(".error-summary")).to_contain_text("nothing to reinstate")
    await expect(page.locator("#revocations-level")).not_to_contain_text("revoked")


@pytest.mark.timeout(200)
async def test_an_admin_changes_a_supervisor_records_a_leaving_and_a_return(
    stack: Stack, page: Page
) -> None:
    person = f"prac-{uuid.uuid4().hex[:6]}"
    await sign_in(page, stack.portal_url, "Ada, agency admin")
    await page.goto(f"{stack.portal_url}/admin")
    await page.get_by_label("Practitioner id").fill(person)
    await page.get_by_label("Program start").fill((TODAY - timedelta(days=60)).isoformat())
    await page.get_by_label("Supervisor id (optional)").fill("sup-sam")
    await page.get_by_role("button", name="Register").click()
    await page.get_by_role("link", name=f"Manage {person}").click()

    await page.get_by_role("button", name="Save the change").click()  # nothing changed yet
    await expect(page.locator(".error-summary")).to_contain_text("Nothing changed")
    await page.locator("#changes-effective_on").fill((TODAY - timedelta(days=20)).isoformat())
    await page.locator("#changes-supervisor_id").fill("sup-kim")
    await page.get_by_role("button", name="Save the change").click()
    await expect(page.locator(".success")).to_contain_text("Details changed")
    await expect(page.locator("#changes-supervisor_id")).to_have_value("sup-kim")

    await page.locator("#leaving-effective_on").fill((TODAY - timedelta(days=10)).isoformat())
    await page.locator("#leaving-reason").fill("parental leave")
    await page.get_by_role("button", name="Record leaving").click()
    await expect(page.locator(".success")).to_contain_text("Leaving recorded")
    await page.locator("#return-effective_on").fill(TODAY.isoformat())
    await page.get_by_role("button", name="Record return").click()
    await expect(page.locator(".success")).to_contain_text("Return recorded")
    history = page.locator("#history-title + table")
    await expect(history).to_contain_text("parental leave")
    await expect(history).to_contain_text("sup-kim")
