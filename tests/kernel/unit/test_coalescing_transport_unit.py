"""A response's head and body leave in one write; nothing written is ever held for long."""

from __future__ import annotations

import asyncio

from shared.http_protocol import CoalescingTransport


class RecordingTransport(asyncio.Transport):
    """What reached the socket, write by write."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []
        self.closed = False
        self.eof = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.writes.append(bytes(data))

    def write_eof(self) -> None:
        self.eof = True

    def can_write_eof(self) -> bool:
        return True

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed


async def test_a_head_and_the_body_written_after_it_leave_in_one_write() -> None:
    socket = RecordingTransport()
    transport = CoalescingTransport(socket, asyncio.get_running_loop())
    transport.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n")
    transport.write(memoryview(b"{}"))
    assert socket.writes == [b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}"]
    await asyncio.sleep(0)
    assert len(socket.writes) == 1  # nothing left over to send


async def test_a_head_whose_body_comes_later_goes_out_on_the_loops_next_turn() -> None:
    socket = RecordingTransport()
    transport = CoalescingTransport(socket, asyncio.get_running_loop())
    transport.write(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n")
    assert socket.writes == []
    await asyncio.sleep(0)
    assert socket.writes == [b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"]
    transport.write(b"5\r\nfirst\r\n")
    transport.write(b"6\r\nsecond\r\n")
    assert socket.writes[1:] == [b"5\r\nfirst\r\n6\r\nsecond\r\n"]


async def test_closing_or_ending_the_writing_side_sends_what_is_held_first() -> None:
    loop = asyncio.get_running_loop()
    closed, ended = RecordingTransport(), RecordingTransport()
    for socket in (closed, ended):
        transport = CoalescingTransport(socket, loop)
        transport.write(b"HTTP/1.1 431 Request Header Fields Too Large\r\n\r\n")
        if socket is closed:
            transport.close()
        else:
            transport.write_eof()
        assert socket.writes == [b"HTTP/1.1 431 Request Header Fields Too Large\r\n\r\n"]
    assert closed.closed and ended.eof
    await asyncio.sleep(0)
    assert len(closed.writes) == len(ended.writes) == 1  # sent once, not again later
