"""uvicorn's httptools protocol with a limit on the size of a request's head (431).

httptools (llhttp, in C) parses a request for a fraction of the CPU of h11, but it has no
limit of its own: a head of 32 MB would sit in memory, header by header, before any
application code could refuse it. This protocol counts the bytes of each request's head
(request line and headers) as they arrive, also for later requests on a keep-alive
connection and for pipelined ones, and once a head passes `MAX_HEAD_BYTES` it answers 431
with the project's problem body and closes the connection. The services run under it:
`uvicorn --http shared.http_protocol:HeadLimitedHttpToolsProtocol` (`system.devstack`).

The count is exact for a head that starts a connection or follows a request whose end was
the end of a read. A head that starts in the middle of a read, after the body of a request
pipelined before it, is counted from the next read on, so at most one read (256 KiB)
more of it is held; the kernel's `RequestHeaderGuard` still refuses its headers (431).
Trailer fields after a chunked body have the same limit; their request is being answered
already, so the connection is closed instead.

uvicorn writes a response's head and its body to the socket separately: two system calls
(and two TCP segments) for every answer, where the head alone cost about as much CPU as
the rest of a stored read. The connection's transport here holds a write back until the
next one, or until the event loop's next turn at the latest, so a head and the body sent
right after it leave in one write; a head whose body comes later (a streamed answer) still
goes out on the loop's next turn.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol
from uvicorn.server import ServerState

from shared.problems import problem_response

# the request line and all headers of one request, CRLFs included (as h11's
# `max_incomplete_event_size` the services ran with before)
MAX_HEAD_BYTES = 32 * 1024
# after the 431, the rest of what the client sends is read and dropped this long (or until it
# closes): closing with unread bytes would reset the connection, and a client still sending
# its head could lose the answer
LINGER_SECONDS = 2.0


def head_too_large_answer(max_head_bytes: int) -> tuple[bytes, bytes]:
    """The 431's own header lines and its problem body (without status line and date)."""
    response = problem_response(
        431,
        "Request headers too large",
        f"the request line and headers together pass {max_head_bytes} bytes; send fewer "
        "or smaller headers (a shorter URL, fewer cookies)",
        slug="headers-too-large",
    )
    lines = [name + b": " + value + b"\r\n" for name, value in response.raw_headers]
    lines.append(b"x-content-type-options: nosniff\r\nconnection: close\r\n")
    return b"".join(lines), bytes(response.body)


class CoalescingTransport:
    """A socket transport whose writes are held until the next write or the event loop's
    next turn, whichever comes first, and then sent together: a response's head and body
    as one write. Closing (or ending the writing side) sends what is held first."""

    __slots__ = ("_held", "_loop", "transport")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self.transport = transport
        self._loop = loop
        self._held: bytes | None = None

    def write(self, data: bytes | bytearray | memoryview) -> None:
        held = self._held
        if held is None:
            self._held = bytes(data)
            self._loop.call_soon(self.flush)
            return
        self._held = None
        self.transport.write(held + data)

    def flush(self) -> None:
        held = self._held
        if held is not None:
            self._held = None
            if not self.transport.is_closing():
                self.transport.write(held)

    def write_eof(self) -> None:
        self.flush()
        self.transport.write_eof()

    def close(self) -> None:
        self.flush()
        self.transport.close()

    def is_closing(self) -> bool:
        return self.transport.is_closing()

    def can_write_eof(self) -> bool:
        return self.transport.can_write_eof()

    def pause_reading(self) -> None:
        self.transport.pause_reading()

    def resume_reading(self) -> None:
        self.transport.resume_reading()

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self.transport.get_extra_info(name, default)

    def get_protocol(self) -> asyncio.BaseProtocol:
        return self.transport.get_protocol()

    def set_protocol(self, protocol: asyncio.BaseProtocol) -> None:
        self.flush()
        self.transport.set_protocol(protocol)

    def __getattr__(self, name: str) -> Any:  # anything else a transport offers
        return getattr(self.transport, name)


class HeadLimitedHttpToolsProtocol(HttpToolsProtocol):
    """`HttpToolsProtocol` that refuses a request head over `max_head_bytes` with a 431."""

    max_head_bytes = MAX_HEAD_BYTES

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self._in_head = True  # from the connection's start or a request's end to its headers' end
        self._head_bytes = 0  # of the head being received
        # bytes in a body's place that carried no body: chunk lines and the trailer fields
        # after the last chunk, which the parser holds in memory as it holds a head's
        self._bytes_without_body = 0
        self._refused = False  # a head passed the limit: nothing more is read
        self._owes_431 = False  # until the answers to the requests before it have gone out

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        # after the flow control and addresses are taken from the socket's own transport
        self.transport = CoalescingTransport(transport, self.loop)  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return  # the rest of the refused head, or anything after it
        rest: bytes | memoryview = data
        while True:
            if not self._in_head:
                # a body: the parser's callbacks say where it ends and the next head begins
                self._bytes_without_body += len(rest)  # any body in it resets the count
                super().data_received(rest)  # type: ignore[arg-type]  # any buffer parses
                if (
                    not self._in_head
                    and self._bytes_without_body > self.max_head_bytes
                    and not self._stopped()
                ):
                    self._drop_oversized_trailers()
                return
            room = self.max_head_bytes - self._head_bytes
            part = rest if len(rest) <= room else memoryview(rest)[:room]
            self._head_bytes += len(part)  # the end of the head resets it (callbacks below)
            super().data_received(part)  # type: ignore[arg-type]
            if self._stopped():
                return
            if self._in_head and self._head_bytes >= self.max_head_bytes:
                # as many bytes as the limit and still no end of the head: it is longer
                self._refuse()
                return
            if part is rest:
                return
            rest = memoryview(rest)[room:]

    def _stopped(self) -> bool:
        """The connection was closed (a parse error's 400) or upgraded to another protocol."""
        return (
            self.parser is None
            or self.transport.is_closing()
            or self.transport.get_protocol() is not self
        )

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._head_bytes = self._bytes_without_body = 0
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        self._bytes_without_body = 0
        super().on_body(body)

    def on_message_complete(self) -> None:
        self._in_head = True
        self._head_bytes = self._bytes_without_body = 0
        super().on_message_complete()

    def _drop_oversized_trailers(self) -> None:
        """Trailer fields past the limit: the request's answer is under way, so the
        connection is closed (its application sees a disconnect) rather than answered."""
        self._refused = True
        self.logger.warning(
            "Request trailers over %d bytes: connection closed.", self.max_head_bytes
        )
        self.transport.close()

    def _refuse(self) -> None:
        self._refused = self._owes_431 = True
        self.logger.warning("Request head over %d bytes: answered 431.", self.max_head_bytes)
        if self.cycle is None or self.cycle.response_complete:
            self._answer_head_too_large()
        # otherwise the requests pipelined before it are answered first (on_response_complete)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        # the answer to the last request before the refused head has gone out
        if self._owes_431 and self.cycle.response_complete and not self.transport.is_closing():
            self._answer_head_too_large()

    def _answer_head_too_large(self) -> None:
        self._owes_431 = False
        self._unset_keepalive_if_required()
        headers, body = head_too_large_answer(self.max_head_bytes)
        content = [STATUS_LINE[431]]
        for name, value in self.server_state.default_headers:
            content.extend([name, b": ", value, b"\r\n"])
        content.extend([headers, b"\r\n", body])
        self.transport.write(b"".join(content))
        if self.transport.can_write_eof():
            self.transport.write_eof()  # the client reads the 431, then the end
            self.loop.call_later(LINGER_SECONDS, self.transport.close)
        else:
            self.transport.close()
