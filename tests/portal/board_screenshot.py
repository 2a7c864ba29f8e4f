"""Refresh docs/portal-board.png from a running portal (`make run`'s, by default).

`python -m tests.portal.board_screenshot [--url http://127.0.0.1:8000] [--identity LABEL]`
signs in locally as the first demo identity whose label holds LABEL and saves the
agency board as the README shows it (1280 × 860).
"""

from __future__ import annotations

import argparse
import asyncio
import re
from pathlib import Path

from playwright.async_api import async_playwright

from tests.portal.browsing import CHROMIUM, CHROMIUM_ARGS

TARGET = Path(__file__).resolve().parents[2] / "docs" / "portal-board.png"


async def capture(url: str, identity: str) -> None:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        page = await browser.new_page(viewport={"width": 1280, "height": 860})
        await page.goto(f"{url}/signin")
        await page.get_by_label(re.compile(re.escape(identity), re.I)).first.check()
        await page.get_by_role("button", name="Sign in").click()
        await page.goto(f"{url}/board")
        await page.wait_for_load_state("networkidle")
        await page.screenshot(path=str(TARGET))
        await browser.close()
    print(f"saved {TARGET}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--identity", default="supervisor", help="words of a sign-in label")
    arguments = parser.parse_args()
    asyncio.run(capture(arguments.url, arguments.identity))
