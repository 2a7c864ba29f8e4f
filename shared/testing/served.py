"""Serving an ASGI app over real HTTP inside the test: uvicorn on a free loopback port.

Browser tests and anything else that needs a URL (not an in-process transport) use it:
the app's lifespan runs as in production, and stopping waits for it to end.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import uvicorn

from shared.http_protocol import HeadLimitedHttpToolsProtocol


@asynccontextmanager
async def serving(app: Any, startup_timeout: float = 60.0) -> AsyncIterator[str]:
    """Serve `app` on 127.0.0.1 at a free port; yield its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app,
        log_level="warning",
        lifespan="on",
        access_log=False,
        timeout_graceful_shutdown=5,
        # as the launchers: longer than a client keeps an idle connection (httpx: 5 s), or a
        # request can go out on a connection the server closes that instant (a ReadError)
        timeout_keep_alive=65,
        http=HeadLimitedHttpToolsProtocol,  # the launchers' parser and its limit on a head
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + startup_timeout
        while not server.started:
            if task.done():
                task.result()  # raises the start-up error
                raise RuntimeError("the server stopped before it started")
            if loop.time() > deadline:
                raise TimeoutError(f"the app did not start within {startup_timeout}s")
            await asyncio.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await task
        sock.close()
