"""The load generator's HTTP client: one keep-alive HTTP/1.1 connection, next to no CPU.

The benchmark drives the servers from one Python process on the same two cores. httpx
spent about 2 ms of that process's CPU on each request (more than the certification
service spent answering a state read), so the client competed with the server it
measured. This client speaks just what the benchmark sends — a GET, or a POST of a JSON
body, one at a time on one connection — and reads the answer by its `Content-Length` or
chunked framing. It keeps the subset of httpx's interface the benchmark's requests use
(`get`, `post(json=…)`, `status_code`, `content`, `json()`, `text`).

Each connection is an `asyncio.Protocol` that parses what arrives in its own callback and
wakes the waiting request once, when the answer is whole: asyncio's streams cost a future,
a wake-up and a scan per `readuntil`/`readexactly`, and `asyncio.timeout` a task look-up
and a rescheduled timer per request — together about half of the client's CPU a request.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlsplit


@dataclass(frozen=True, slots=True)
class Answer:
    status_code: int
    content: bytes

    def json(self) -> Any:
        return json.loads(self.content)

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")


@dataclass(frozen=True, slots=True)
class _Origin:
    key: tuple[str, int]
    # what follows the request line's target: the version and the Host header
    tail: bytes


def _origin(origin: str) -> _Origin:
    parts = urlsplit(origin)
    if parts.scheme != "http" or parts.hostname is None:
        raise ValueError(f"the benchmark's client speaks plain http only, not {origin!r}")
    return _Origin(
        (parts.hostname, parts.port or 80), f" HTTP/1.1\r\nHost: {parts.netloc}\r\n".encode()
    )


def _split(url: str) -> tuple[str, str]:
    """A URL's origin (`scheme://host:port`) and its request target (path and query), by
    slicing: a random board page is a URL never seen before, and `urlsplit` of each cost
    the load client more than the rest of sending it. A fragment is not sent."""
    start = url.find("//") + 2
    ends = [i for i in (url.find("/", start), url.find("?", start)) if i >= 0]
    at = min(ends) if ends else len(url)
    target = url[at:].partition("#")[0]
    if not target.startswith("/"):
        target = "/" + target
    return url[:at], target


class _AnswerReader(asyncio.Protocol):
    """One connection: the bytes received so far, parsed into the answer awaited."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        # the head of the answer being received, once whole (`_Head`): a long body arrives
        # in several reads, and its head is parsed once, not again on each
        self.head: _Head | None = None
        self.waiter: asyncio.Future[Answer] | None = None
        self.closed = False  # by the server, or after an answer that said so
        self.lost: Exception | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is no subclass

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        self._answer_if_whole(at_end=False)

    def eof_received(self) -> bool:
        self._answer_if_whole(at_end=True)
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._answer_if_whole(at_end=True)
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_exception(ConnectionResetError("the server closed the connection"))
        self.waiter = None

    def _answer_if_whole(self, *, at_end: bool) -> None:
        waiter = self.waiter
        if waiter is None or waiter.done():
            return
        try:
            if self.head is None:
                self.head = _head(self.buffer)
                if self.head is None:
                    return
            parsed = _body(self.buffer, self.head, at_end=at_end)
        except ValueError as error:
            waiter.set_exception(ConnectionError(f"an answer the client cannot read: {error}"))
            self.close()
            return
        if parsed is None:
            return
        answer, used, close = parsed
        del self.buffer[:used]
        self.head = None
        self.waiter = None
        if close:
            self.close()
        waiter.set_result(answer)

    def send(self, message: bytes, loop: asyncio.AbstractEventLoop) -> asyncio.Future[Answer]:
        assert self.transport is not None and self.waiter is None
        self.waiter = waiter = loop.create_future()
        self.transport.write(message)
        return waiter

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()


@dataclass(frozen=True, slots=True)
class _Head:
    status: int
    start: int  # where the body starts in the buffer
    length: int | None  # Content-Length, if given
    chunked: bool
    close: bool  # the server closes the connection after this answer


def _head(buffer: bytearray) -> _Head | None:
    """The head of the answer at the start of `buffer`; None while it is not whole."""
    end = buffer.find(b"\r\n\r\n")
    if end < 0:
        return None
    status_line, *header_lines = bytes(buffer[:end]).split(b"\r\n")
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
    return _Head(status, end + 4, length, chunked, close)


def _body(buffer: bytearray, head: _Head, *, at_end: bool) -> tuple[Answer, int, bool] | None:
    """The answer `head` starts, the bytes it took and whether the server closes the
    connection after it; None while its body is not whole."""
    start = head.start
    if head.chunked:
        body = _chunks(buffer, start)
        if body is None:
            return None
        content, used = body
        return Answer(head.status, content), used, head.close
    if head.length is not None:
        end = start + head.length
        if len(buffer) < end:
            return None
        with memoryview(buffer) as view:  # one copy of the body, not two
            content = bytes(view[start:end])
        return Answer(head.status, content), end, head.close
    if not at_end:  # no framing: the body runs to the end of the connection
        return None
    return Answer(head.status, bytes(buffer[start:])), len(buffer), True


def _chunks(buffer: bytearray, at: int) -> tuple[bytes, int] | None:
    """A chunked body from `at` on, and where it (with its trailers) ends; None if partial."""
    content = bytearray()
    while True:
        line_end = buffer.find(b"\r\n", at)
        if line_end < 0:
            return None
        size = int(bytes(buffer[at:line_end]).split(b";", 1)[0], 16)
        at = line_end + 2
        if size == 0:
            while True:  # trailers, then the empty line that ends the body
                line_end = buffer.find(b"\r\n", at)
                if line_end < 0:
                    return None
                empty = line_end == at
                at = line_end + 2
                if empty:
                    return bytes(content), at
        if len(buffer) < at + size + 2:
            return None
        content += buffer[at : at + size]
        at += size + 2


class KeepAliveClient:
    """Sequential requests over one connection per server, opened again when closed."""

    def __init__(self, timeout: float = 30.0) -> None:
        self.timeout = timeout
        self._connections: dict[tuple[str, int], _AnswerReader] = {}
        self._origins: dict[str, _Origin] = {}

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
        origin_url, target = _split(url)
        origin = self._origins.get(origin_url)
        if origin is None:
            origin = self._origins[origin_url] = _origin(origin_url)
        lines = [method, " ", target]
        lines.extend(f"{name}: {value}\r\n" for name, value in (headers or {}).items())
        if body or method == "POST":
            lines.append(f"Content-Length: {len(body)}\r\n")
        lines.append("\r\n")
        head = "".join(lines[:3]).encode("latin-1") + origin.tail
        message = head + "".join(lines[3:]).encode("latin-1") + body
        return await self._exchange(origin.key, message)

    async def _exchange(self, key: tuple[str, int], message: bytes) -> Answer:
        loop = asyncio.get_running_loop()
        for attempt in (1, 2):
            connection = self._connections.get(key)
            if connection is not None and connection.closed:  # seen closing while idle
                self._forget(key, connection)
                connection = None
            reused = connection is not None
            if connection is None:
                connection = await self._connect(key, loop)
            waiter = connection.send(message, loop)
            timer = loop.call_later(self.timeout, _time_out, waiter, connection)
            try:
                return await waiter
            except ConnectionError:
                self._drop(key)
                # an idle connection the server had closed: send once more on a new one
                if not reused or attempt == 2:
                    raise
            finally:
                timer.cancel()
                if connection.closed:
                    self._forget(key, connection)
        raise AssertionError("unreachable")

    async def _connect(
        self, key: tuple[str, int], loop: asyncio.AbstractEventLoop
    ) -> _AnswerReader:
        async with asyncio.timeout(self.timeout):
            _, connection = await loop.create_connection(_AnswerReader, *key)
        self._connections[key] = connection
        return connection

    def _forget(self, key: tuple[str, int], connection: _AnswerReader) -> None:
        if self._connections.get(key) is connection:
            del self._connections[key]

    def _drop(self, key: tuple[str, int]) -> None:
        connection = self._connections.pop(key, None)
        if connection is not None:
            connection.close()

    async def aclose(self) -> None:
        for key in list(self._connections):
            self._drop(key)


def _time_out(waiter: asyncio.Future[Answer], connection: _AnswerReader) -> None:
    """No answer within the client's timeout: the request fails and its connection closes
    (a late answer would be taken for the next request's)."""
    if not waiter.done():
        waiter.set_exception(TimeoutError("no answer within the client's timeout"))
    connection.close()


def _dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()
