"""The browser side of the portal tests: Debian's chromium, sign-in, axe-core, screenshots."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from playwright.async_api import Page

from tests.portal.screens import artifact, looks_drawn, pixel_counts

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = Path(__file__).parent / "vendor" / "axe.min.js"  # axe-core from npm, with its licence


async def sign_in(page: Page, portal: str, label: str) -> None:
    """Pick a demo identity by its label on the local sign-in page."""
    await page.goto(f"{portal}/signin")
    await page.get_by_label(re.compile(re.escape(label))).check()
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_load_state("networkidle")


async def sign_in_as_practitioner(page: Page, portal: str, practitioner_id: str) -> None:
    await page.goto(f"{portal}/signin")
    await page.get_by_label("A practitioner").check()
    await page.get_by_label("Practitioner id").fill(practitioner_id)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_load_state("networkidle")


async def serious_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it stands."""
    if not await page.evaluate("typeof window.axe !== 'undefined'"):
        await page.add_script_tag(content=AXE.read_text())
    result = await page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))"
    )
    return [v for v in result if v["impact"] in ("serious", "critical")]


async def check_page(page: Page, name: str) -> None:
    """Screenshot saved as an artifact and not blank; no serious accessibility violation."""
    png = await page.screenshot(path=str(artifact(name)), full_page=True)
    assert looks_drawn(await pixel_counts(page, png)), f"the screenshot of {name} is blank"
    violations = await serious_violations(page)
    assert not violations, f"{name}: {json.dumps(violations, indent=1)}"
