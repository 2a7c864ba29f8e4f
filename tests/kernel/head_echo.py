"""A bare ASGI app that says what reached it: the server layer's tests serve it under the
services' own uvicorn options (`tests/kernel/test_http_head_limit.py`).

No kernel middleware runs, so what limits a request's head here is the server alone.
"""

from __future__ import annotations

import json

from starlette.types import Receive, Scope, Send


async def echo(scope: Scope, receive: Receive, send: Send) -> None:
    """200 with the path, the bytes of its headers and of its body, as JSON."""
    if scope["type"] != "http":
        return
    body = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return
        body += len(message.get("body", b""))
        if not message.get("more_body", False):
            break
    seen = {
        "path": scope["path"],
        "header_bytes": sum(len(name) + len(value) for name, value in scope["headers"]),
        "body_bytes": body,
    }
    answer = json.dumps(seen).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(answer)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": answer})


def create_app() -> object:
    """`uvicorn --factory tests.kernel.head_echo:create_app`."""
    return echo
