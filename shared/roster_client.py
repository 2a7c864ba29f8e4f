"""For callers that register a practitioner at certification and post evidence at once.

The other services' roster copies are eventually consistent (milliseconds to a second
behind certification), so a 422 whose problem type ends with `/not-on-roster` right after
a registration is retried for a few seconds (seed, demo, import and multi-service tests).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import httpx

NOT_ON_ROSTER = "/not-on-roster"


def is_not_on_roster(response: httpx.Response) -> bool:
    if response.status_code != 422:
        return False
    try:
        problem = response.json()
    except ValueError:
        return False
    return isinstance(problem, dict) and str(problem.get("type", "")).endswith(NOT_ON_ROSTER)


async def until_on_roster(
    send: Callable[[], Awaitable[httpx.Response]], *, timeout: float = 15.0
) -> httpx.Response:
    """`send()` again while it answers not-on-roster, up to `timeout` seconds; the last answer."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    delay = 0.05
    while True:
        response = await send()
        if not is_not_on_roster(response) or loop.time() > deadline:
            return response
        await asyncio.sleep(delay)
        delay = min(delay * 2, 0.5)
