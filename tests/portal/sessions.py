"""A signed-in HTTP client of the portal (no browser): for forms and exports checked byte-wise."""

from __future__ import annotations

import re

import httpx

from tests.portal.stack import Stack


async def signed_in_client(stack: Stack) -> tuple[httpx.AsyncClient, str]:
    client = httpx.AsyncClient(base_url=stack.portal_url)
    page = await client.get("/signin")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    signed = await client.post(
        "/signin", data={"csrf_token": token.group(1), "identity": "admin-ada"}
    )
    assert signed.status_code == 303 and signed.headers["location"] == "/board"
    # signing in starts a new session with a new token: the one a page now carries
    board = await client.get("/board")
    fresh = re.search(r'name="csrf_token" value="([^"]+)"', board.text)
    assert fresh is not None and fresh.group(1) != token.group(1)
    return client, fresh.group(1)
