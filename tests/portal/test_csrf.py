"""Every form of the portal refuses a POST without the session's CSRF token."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Page, expect
from starlette.routing import Route

from services.portal.entrypoints.admin_roster import ACTIONS
from services.portal.entrypoints.api import routers
from tests.portal.browsing import sign_in
from tests.portal.sessions import signed_in_client
from tests.portal.stack import Stack

# the first test of a run also waits for the shared stack and its seeded agencies
pytestmark = pytest.mark.timeout(300)

PATH_VALUES = {
    "key": "demo-lms",
    "version": "1",
    "practitioner_id": "prac-pat",
    "policy_id": "miiwrap-default",
}


def every_form_target() -> list[str]:
    paths = [
        route.path
        for router in routers
        for route in router.routes
        if isinstance(route, Route) and "POST" in (route.methods or set())
    ]
    filled = []
    for path in paths:
        actions = ACTIONS if "{action}" in path else ["-"]
        for action in actions:
            values = PATH_VALUES | {"action": action}
            filled.append(re.sub(r"{(\w+)}", lambda m, v=values: v[m.group(1)], path))
    return filled


async def test_every_form_refuses_a_post_without_its_csrf_token(stack: Stack) -> None:
    targets = every_form_target()
    assert len(targets) == 17  # sign-in/out, observe, coach, admin roster/policies/LMS, verify
    client, _ = await signed_in_client(stack)
    try:
        for target in targets:
            answer = await client.post(target, data={"reason": "no token sent", "level": ""})
            assert answer.status_code == 403, (target, answer.status_code)
            assert "security token" in answer.text, target
            wrong = await client.post(target, data={"csrf_token": "forged", "reason": "x"})
            assert wrong.status_code == 403, (target, wrong.status_code)
        entry = await client.get("/admin/practitioners/prac-pat")
        assert "Certification revoked" not in entry.text  # nothing was done
    finally:
        await client.aclose()


async def test_a_form_with_its_token_is_accepted(stack: Stack) -> None:
    client, token = await signed_in_client(stack)
    try:
        out = await client.post("/signout", data={"csrf_token": token})
        assert out.status_code == 303 and out.headers["location"] == "/signin"
        after = await client.get("/board")
        assert after.status_code == 303 and after.headers["location"] == "/signin"
    finally:
        await client.aclose()


FORM_PAGES = [
    "/admin",
    "/admin/practitioners/prac-new",
    "/admin/policies/miiwrap-default/2",
    "/admin/lms",
    "/coach",
    "/observe/team-meeting-observation/1",
]


async def test_every_form_on_every_page_refuses_when_its_token_is_taken_out(
    stack: Stack, page: Page
) -> None:
    await sign_in(page, stack.portal_url, "Ada, agency admin")
    refused = 0
    for path in FORM_PAGES:
        await page.goto(f"{stack.portal_url}{path}")
        forms = await page.locator("form[method=post]").count()
        assert forms >= 1, path
        for index in range(forms):
            await page.goto(f"{stack.portal_url}{path}")
            async with page.expect_navigation():
                await page.evaluate(
                    """(index) => {
                        const form = document.querySelectorAll("form[method=post]")[index];
                        form.querySelectorAll("input[name=csrf_token]").forEach(i => i.remove());
                        form.requestSubmit();
                    }""",
                    index,
                )
            await expect(page.get_by_role("heading", level=1)).to_have_text(
                "The form could not be accepted"
            )
            refused += 1
    assert refused >= 15  # sign-out on each page, and every form of each
