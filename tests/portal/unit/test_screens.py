"""The blank-screenshot check reads Chromium's PNGs and tells a blank one from a page."""

from __future__ import annotations

import struct
import zlib

from tests.portal.screens import not_blank, pixels


def png(width: int, height: int, colour_of: object) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(
        b"\x00" + b"".join(bytes(colour_of(x, y)) for x in range(width))  # type: ignore[operator]
        for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def test_a_single_colour_image_is_blank() -> None:
    assert not not_blank(png(40, 30, lambda x, y: (255, 255, 255)))


def test_an_image_with_text_like_marks_is_not_blank() -> None:
    image = png(40, 30, lambda x, y: (x * 6, y * 8, 90) if (x + y) % 3 == 0 else (255, 255, 255))
    assert not_blank(image)


def test_reads_every_pixel_back() -> None:
    image = png(3, 2, lambda x, y: (x, y, 7))
    assert pixels(image) == [bytes((x, y, 7)) for y in range(2) for x in range(3)]
