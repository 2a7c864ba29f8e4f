"""Screenshots of pages, saved as artifacts, and a check that one is not blank.

A minimal PNG reader (8-bit RGB or RGBA, not interlaced: what Chromium writes) counts
the pixels unlike the page's background, so a white or single-colour page fails.
"""

from __future__ import annotations

import os
import struct
import zlib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("MIIWRAP_ARTIFACTS", ROOT / ".artifacts")) / "portal"


def _chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    found, at = [], 8
    while at < len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        found.append((png[at + 4 : at + 8], png[at + 8 : at + 8 + length]))
        at += 12 + length
    return found


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else b if pb <= pc else c


def pixels(png: bytes) -> list[bytes]:
    """Every pixel of the image as bytes (RGB or RGBA)."""
    chunks = _chunks(png)
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    assert depth == 8 and colour in (2, 6) and not interlace, "unexpected PNG format"
    size = 3 if colour == 2 else 4
    raw = zlib.decompress(b"".join(data for kind, data in chunks if kind == b"IDAT"))
    stride = width * size
    previous = bytearray(stride)
    found: list[bytes] = []
    for row in range(height):
        start = row * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - size] if i >= size else 0
            up = previous[i]
            corner = previous[i - size] if i >= size else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                line[i] = (line[i] + _paeth(left, up, corner)) & 0xFF
        found.extend(bytes(line[i : i + size]) for i in range(0, stride, size))
        previous = line
    return found


def not_blank(png: bytes, min_share: float = 0.01, min_colours: int = 8) -> bool:
    """At least `min_share` of pixels differ from the commonest, in several colours."""
    seen = pixels(png)
    counts = Counter(seen)
    _, background = counts.most_common(1)[0]
    return (len(seen) - background) / len(seen) >= min_share and len(counts) >= min_colours


def artifact(name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / f"{name}.png"
