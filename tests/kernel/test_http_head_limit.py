"""The services' server layer over a real socket: uvicorn with the services' own options
(`system.devstack.UVICORN_HARDENING`: httptools under `shared.http_protocol`) refuses a
request head over 32 KiB with a 431 problem and closes, and serves every head within it:
at once, trickled in, split across many packets, pipelined, after a body."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from shared.http_protocol import MAX_HEAD_BYTES
from shared.servers import free_port, wait_for_port
from system.devstack import UVICORN_HARDENING


@pytest.fixture(scope="module")
def server_port() -> Iterator[int]:
    """The bare echo app under the services' uvicorn options, once for the module."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "--factory", "tests.kernel.head_echo:create_app"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    process = subprocess.Popen([*command, *UVICORN_HARDENING])
    try:
        wait_for_port(port, 30.0, process)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def head(size: int, path: str = "/", extra: bytes = b"") -> bytes:
    """A GET whose request line and headers are exactly `size` bytes."""
    start = f"GET {path} HTTP/1.1\r\nHost: test\r\n".encode() + extra + b"X-Padding: "
    padding = size - len(start) - len(b"\r\n\r\n")
    assert padding >= 0
    return start + b"p" * padding + b"\r\n\r\n"


async def connect(port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return reader, writer


async def read_answer(reader: asyncio.StreamReader) -> Answer:
    raw = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
    status_line, *lines = raw.decode("latin-1").split("\r\n")[:-2]
    headers = dict(line.split(": ", 1) for line in lines)
    headers = {name.lower(): value for name, value in headers.items()}
    body = await reader.readexactly(int(headers["content-length"]))
    return Answer(int(status_line.split(" ")[1]), headers, body)


async def closed(reader: asyncio.StreamReader) -> bool:
    return await asyncio.wait_for(reader.read(), 10) == b""


def assert_refused(answer: Answer) -> None:
    assert answer.status == 431
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.headers["connection"] == "close"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert "server" not in answer.headers
    problem = answer.json()
    assert problem["status"] == 431
    assert problem["type"].endswith("/headers-too-large")
    assert str(MAX_HEAD_BYTES) in problem["detail"]


async def test_a_head_of_exactly_the_limit_is_served_and_one_byte_more_is_a_431(
    server_port: int,
) -> None:
    reader, writer = await connect(server_port)
    writer.write(head(MAX_HEAD_BYTES, "/fits"))
    served = await read_answer(reader)
    assert served.status == 200 and served.json()["path"] == "/fits"
    assert served.json()["header_bytes"] > MAX_HEAD_BYTES - 100  # the headers reached the app

    writer.write(head(MAX_HEAD_BYTES + 1, "/over"))  # on the same keep-alive connection
    assert_refused(await read_answer(reader))
    assert await closed(reader)
    writer.close()


async def test_a_head_of_a_megabyte_is_refused_without_being_read_whole(server_port: int) -> None:
    reader, writer = await connect(server_port)
    writer.write(head(1024 * 1024))
    assert_refused(await read_answer(reader))
    assert await closed(reader)
    writer.close()


async def test_a_head_trickled_in_is_counted_across_reads(server_port: int) -> None:
    slow = head(MAX_HEAD_BYTES + 5000, "/slow")
    reader, writer = await connect(server_port)
    for start in range(0, len(slow), 8000):
        writer.write(slow[start : start + 8000])
        await writer.drain()
        await asyncio.sleep(0.05)  # each piece its own read
    assert_refused(await read_answer(reader))
    assert await closed(reader)
    writer.close()

    partial = head(MAX_HEAD_BYTES - 10, "/partial")
    reader, writer = await connect(server_port)
    writer.write(partial[:20000])
    await writer.drain()
    await asyncio.sleep(0.2)  # a head half sent is waited for, not refused
    writer.write(partial[20000:])
    assert (await read_answer(reader)).json()["path"] == "/partial"
    writer.close()


async def test_heads_split_across_many_packets_are_served_within_the_limit(
    server_port: int,
) -> None:
    reader, writer = await connect(server_port)
    for number, size in enumerate((MAX_HEAD_BYTES, MAX_HEAD_BYTES + 1)):
        request = head(size, f"/split-{number}")
        for start in range(0, len(request), 1400):  # about one Ethernet frame each
            writer.write(request[start : start + 1400])
            await writer.drain()
            if start % 14000 == 0:
                await asyncio.sleep(0.005)
        if number == 0:
            assert (await read_answer(reader)).json()["path"] == "/split-0"
    assert_refused(await read_answer(reader))
    assert await closed(reader)
    writer.close()


async def test_pipelined_heads_each_get_their_own_limit(server_port: int) -> None:
    """Three heads of 20 KB in one write (60 KB) are three requests, each within the limit."""
    reader, writer = await connect(server_port)
    writer.write(b"".join(head(20_000, f"/pipelined-{n}") for n in range(3)))
    paths = [(await read_answer(reader)).json()["path"] for _ in range(3)]
    assert paths == ["/pipelined-0", "/pipelined-1", "/pipelined-2"]

    # requests pipelined before an oversized head are answered, then the 431, then the end
    writer.write(head(200, "/before-0") + head(200, "/before-1") + head(MAX_HEAD_BYTES * 2))
    assert (await read_answer(reader)).json()["path"] == "/before-0"
    assert (await read_answer(reader)).json()["path"] == "/before-1"
    assert_refused(await read_answer(reader))
    assert await closed(reader)
    writer.close()


async def test_a_body_is_not_counted_as_the_next_head(server_port: int) -> None:
    body = b"b" * (3 * MAX_HEAD_BYTES)
    upload = (
        f"POST /upload HTTP/1.1\r\nHost: test\r\nContent-Length: {len(body)}\r\n\r\n".encode()
        + body
    )
    reader, writer = await connect(server_port)
    writer.write(upload)
    assert (await read_answer(reader)).json()["body_bytes"] == len(body)
    writer.write(upload + head(MAX_HEAD_BYTES - 100, "/after-body"))  # in one write
    assert (await read_answer(reader)).json()["body_bytes"] == len(body)
    assert (await read_answer(reader)).json()["path"] == "/after-body"
    writer.write(head(MAX_HEAD_BYTES + 1))
    assert_refused(await read_answer(reader))
    writer.close()


async def test_trailer_fields_have_the_limit_of_a_head(server_port: int) -> None:
    start = b"POST /chunked HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n"
    chunks = b"".join(b"%x\r\n%s\r\n" % (5000, b"c" * 5000) for _ in range(40))  # 200 KB
    reader, writer = await connect(server_port)
    writer.write(start + chunks + b"0\r\nX-Checksum: abc\r\n\r\n")
    assert (await read_answer(reader)).json()["body_bytes"] == 200_000

    # the last chunk in one read with 60 KB of requests pipelined after it: not trailers
    writer.write(start + chunks)
    await writer.drain()
    await asyncio.sleep(0.05)
    writer.write(b"0\r\n\r\n" + b"".join(head(20_000, f"/next-{n}") for n in range(3)))
    assert (await read_answer(reader)).json()["body_bytes"] == 200_000
    paths = [(await read_answer(reader)).json()["path"] for _ in range(3)]
    assert paths == ["/next-0", "/next-1", "/next-2"]

    writer.write(start + chunks + b"0\r\n")
    with contextlib.suppress(ConnectionError):  # closed while it is still sending
        for _ in range(10):  # a trailer field of 80 KB, read by read
            writer.write(b"X-Trailer: " + b"t" * 8000)
            await writer.drain()
            await asyncio.sleep(0.02)
    # the answer to that request is under way (its body has no end yet): the connection
    # is closed, its application sees a disconnect
    with contextlib.suppress(ConnectionError):
        assert await closed(reader)
    assert writer.transport.is_closing() or reader.at_eof()
    writer.close()
