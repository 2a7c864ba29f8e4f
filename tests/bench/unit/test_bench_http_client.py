"""The load generator's client reads every framing a server answers with, over one connection."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import pytest

from tests.bench.http_client import KeepAliveClient

Answerer = Callable[[bytes, bytes], bytes]  # (request head, request body) → raw answer


@asynccontextmanager
async def a_server(answer: Answerer, close_after: int = 0) -> AsyncIterator[dict[str, object]]:
    """A loopback HTTP/1.1 server answering with `answer`; it closes each connection after
    `close_after` answers (never if 0), as a server's keep-alive timeout does."""
    seen: dict[str, object] = {"connections": 0, "requests": []}

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        seen["connections"] = int(str(seen["connections"])) + 1
        answered = 0
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                body = await reader.readexactly(length)
                requests = seen["requests"]
                assert isinstance(requests, list)
                requests.append((head, body))
                writer.write(answer(head, body))
                await writer.drain()
                answered += 1
                if close_after and answered >= close_after:
                    break
        except asyncio.IncompleteReadError:
            pass
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    seen["url"] = f"http://127.0.0.1:{port}"
    try:
        yield seen
    finally:
        server.close()
        await server.wait_closed()


def sized(head: bytes, body: bytes) -> bytes:
    payload = json.dumps({"path": head.split(b" ")[1].decode(), "got": body.decode()}).encode()
    return b"HTTP/1.1 201 Created\r\nContent-Length: %d\r\n\r\n%s" % (len(payload), payload)


def chunked(_head: bytes, _body: bytes) -> bytes:
    head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    return head + b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"


async def test_posts_json_and_reads_a_sized_answer_on_one_kept_connection() -> None:
    async with a_server(sized) as seen:
        client = KeepAliveClient()
        first = await client.post(f"{seen['url']}/rows?x=1", json={"a": 1}, headers={"X-T": "t"})
        second = await client.get(f"{seen['url']}/rows/2")
        await client.aclose()
    assert first.status_code == 201
    assert first.json() == {"path": "/rows?x=1", "got": '{"a":1}'}
    assert second.json() == {"path": "/rows/2", "got": ""}
    assert seen["connections"] == 1
    requests = seen["requests"]
    assert isinstance(requests, list)
    assert b"content-type: application/json" in requests[0][0].lower()
    assert b"x-t: t" in requests[0][0].lower()


async def test_reads_a_chunked_answer() -> None:
    async with a_server(chunked) as seen:
        client = KeepAliveClient()
        answer = await client.get(f"{seen['url']}/stream")
        again = await client.get(f"{seen['url']}/stream")
        await client.aclose()
    assert (answer.status_code, answer.text, again.text) == (200, "hello world", "hello world")


async def test_sends_again_on_a_new_connection_when_the_server_closed_the_idle_one() -> None:
    async with a_server(sized, close_after=1) as seen:
        client = KeepAliveClient()
        answers = [await client.get(f"{seen['url']}/n/{n}") for n in range(3)]
        await client.aclose()
    assert [a.json()["path"] for a in answers] == ["/n/0", "/n/1", "/n/2"]
    assert seen["connections"] == 3


def unframed(_head: bytes, _body: bytes) -> bytes:
    return b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nto the end"


async def test_reads_an_answer_without_framing_to_the_end_of_the_connection() -> None:
    async with a_server(unframed, close_after=1) as seen:
        client = KeepAliveClient()
        answers = [await client.get(f"{seen['url']}/{n}") for n in range(2)]
        await client.aclose()
    assert [a.text for a in answers] == ["to the end", "to the end"]
    assert seen["connections"] == 2


async def test_reads_an_answer_that_arrives_in_pieces() -> None:
    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        for piece in (b"HTTP/1.1 200 OK\r\nContent-Le", b"ngth: 5\r\n\r", b"\nhel", b"lo"):
            writer.write(piece)
            await writer.drain()
            await asyncio.sleep(0.01)
        await reader.read()
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    client = KeepAliveClient()
    try:
        answer = await client.get(f"http://127.0.0.1:{port}/")
    finally:
        await client.aclose()
        server.close()
        await server.wait_closed()
    assert (answer.status_code, answer.text) == (200, "hello")


async def test_fails_a_request_the_server_does_not_answer_within_the_timeout() -> None:
    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # never answers
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    client = KeepAliveClient(timeout=0.2)
    try:
        with pytest.raises(TimeoutError):
            await client.get(f"http://127.0.0.1:{port}/")
    finally:
        await client.aclose()
        server.close()
        await server.wait_closed()


async def test_sends_each_url_as_its_request_target_with_its_origin_as_host() -> None:
    async with a_server(sized) as seen:
        client = KeepAliveClient()
        url = str(seen["url"])
        paths = [
            (await client.get(target)).json()["path"]
            for target in (url, f"{url}?q=1", f"{url}/a/b?c=d#part")
        ]
        await client.aclose()
    assert paths == ["/", "/?q=1", "/a/b?c=d"]
    requests = seen["requests"]
    assert isinstance(requests, list)
    hosts = {
        line for head, _ in requests for line in head.split(b"\r\n") if line.startswith(b"Host:")
    }
    assert hosts == {f"Host: {url.removeprefix('http://')}".encode()}


async def test_reads_a_long_answer_whose_body_arrives_in_many_pieces() -> None:
    body = b"x" * 100_000

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for _ in range(2):
            await reader.readuntil(b"\r\n\r\n")
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body))
            for at in range(0, len(body), 7_000):
                writer.write(body[at : at + 7_000])
                await writer.drain()
                await asyncio.sleep(0)
        await reader.read()
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    client = KeepAliveClient()
    try:
        answers = [await client.get(f"http://127.0.0.1:{port}/{n}") for n in range(2)]
    finally:
        await client.aclose()
        server.close()
        await server.wait_closed()
    assert [(a.status_code, a.content) for a in answers] == [(200, body), (200, body)]
