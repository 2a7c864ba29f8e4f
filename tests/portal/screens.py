"""Screenshots of pages, saved as artifacts, and a check that one is not blank.

The browser itself reads the PNG back (a canvas counts its pixels: fast, where Python
would walk millions of bytes), and `looks_drawn` judges the counts: a white or
single-colour page fails.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from pathlib import Path

from playwright.async_api import Page

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("MIIWRAP_ARTIFACTS", ROOT / ".artifacts")) / "portal"

_COUNT_PIXELS = """async (source) => {
  const image = new Image();
  image.src = source;
  await image.decode();
  const canvas = document.createElement("canvas");
  canvas.width = image.width; canvas.height = image.height;
  const context = canvas.getContext("2d");
  context.drawImage(image, 0, 0);
  const data = context.getImageData(0, 0, image.width, image.height).data;
  const counts = new Map();
  for (let i = 0; i < data.length; i += 4) {
    const key = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
    counts.set(key, (counts.get(key) || 0) + 1);
  }
  return {total: data.length / 4, background: Math.max(...counts.values()), colours: counts.size};
}"""


@dataclass(frozen=True)
class PixelCounts:
    total: int
    background: int  # pixels of the commonest colour
    colours: int


def looks_drawn(counts: PixelCounts, min_share: float = 0.01, min_colours: int = 8) -> bool:
    """At least `min_share` of the pixels differ from the commonest, in several colours."""
    if counts.total == 0:
        return False
    drawn = (counts.total - counts.background) / counts.total
    return drawn >= min_share and counts.colours >= min_colours


async def pixel_counts(page: Page, png: bytes) -> PixelCounts:
    source = "data:image/png;base64," + base64.b64encode(png).decode()
    found = await page.evaluate(_COUNT_PIXELS, source)
    return PixelCounts(int(found["total"]), int(found["background"]), int(found["colours"]))


def artifact(name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / f"{name}.png"
