"""The load generator's HTTP client: one keep-alive HTTP/1.1 connection, next to no CPU.

The benchmark drives the servers from one Python process on the same two cores. httpx
spent about 2 ms of that process's CPU on each request (more than the certification
service spent answering a state read), so the client competed with the server it
measured. This client speaks just what the benchmark sends — a GET, or a POST of a JSON
body, one at a time on one connection — and reads the answer by its `Content-Length` or
chunked framing. It keeps the subset of httpx's interface the benchmark's requests use
(`get`, `post(json=…)`, `status_code`, `content`, `json()`, `text`).
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Answer:
    status_code: int
    content: bytes

    def json(self) -> Any:
        return json.loads(self.content)

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")


_Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]


@dataclass(frozen=True)
class _Target:
    host: str
    port: int
    netloc: str
    path: str


def _target(url: str) -> _Target:
    parts = urlsplit(url)
    if parts.scheme != "http" or parts.hostname is None:
        raise ValueError(f"the benchmark's client speaks plain http only, not {url!r}")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return _Target(parts.hostname, parts.port or 80, parts.netloc, path)


class KeepAliveClient:
    """Sequential requests over one connection per server, opened again when closed."""

    def __init__(self, timeout: float = 30.0) -> None:
        self.timeout = timeout
        self._connections: dict[tuple[str, int], _Connection] = {}
        self._targets: dict[str, _Target] = {}

    async def get(self, url: str, headers: dict[str, str] | None = None) -> Answer:
        return await self.request("GET", url, b"", headers)

    async def post(
        self, url: str, json: Any = None, headers: dict[str, str] | None = None
    ) -> Answer:
        body = _dumps(json)
        return await self.request(
            "POST", url, body, {"Content-Type": "application/json"} | (headers or {})
        )

    async def request(
        self, method: str, url: str, body: bytes, headers: dict[str, str] | None
    ) -> Answer:
        target = self._targets.get(url)
        if target is None:
            target = self._targets[url] = _target(url)
        lines = [f"{method} {target.path} HTTP/1.1", f"Host: {target.netloc}"]
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        if body or method == "POST":
            lines.append(f"Content-Length: {len(body)}")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        async with asyncio.timeout(self.timeout):
            return await self._exchange(target, head + body)

    async def _exchange(self, target: _Target, message: bytes) -> Answer:
        key = (target.host, target.port)
        reused = key in self._connections
        for attempt in (1, 2):
            reader, writer = await self._connection(key)
            try:
                writer.write(message)
                return await self._answer(key, reader)
            except (ConnectionError, asyncio.IncompleteReadError):
                self._drop(key)
                # an idle connection the server had closed: send once more on a new one
                if not reused or attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def _connection(self, key: tuple[str, int]) -> _Connection:
        connection = self._connections.get(key)
        if connection is None:
            connection = self._connections[key] = await asyncio.open_connection(*key)
        return connection

    async def _answer(self, key: tuple[str, int], reader: asyncio.StreamReader) -> Answer:
        head = await reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head[:-4].split(b"\r\n")
        status = int(status_line.split(b" ", 2)[1])
        length: int | None = None
        chunked = close = False
        for line in header_lines:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding":
                chunked = b"chunked" in value.lower()
            elif name == b"connection":
                close = b"close" in value.lower()
        if chunked:
            content = await _chunked(reader)
        elif length is not None:
            content = await reader.readexactly(length)
        else:  # no framing: the body runs to the end of the connection
            content = await reader.read()
            close = True
        if close:
            self._drop(key)
        return Answer(status, content)

    def _drop(self, key: tuple[str, int]) -> None:
        connection = self._connections.pop(key, None)
        if connection is not None:
            connection[1].close()

    async def aclose(self) -> None:
        for key in list(self._connections):
            self._drop(key)


async def _chunked(reader: asyncio.StreamReader) -> bytes:
    content = bytearray()
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";", 1)[0], 16)
        if size == 0:
            while (await reader.readuntil(b"\r\n")) != b"\r\n":  # trailers, then the end
                pass
            return bytes(content)
        content += await reader.readexactly(size)
        await reader.readexactly(2)


def _dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()
