"""The blank-screenshot judgement: a single colour is blank, a drawn page is not."""

from __future__ import annotations

from tests.portal.screens import PixelCounts, looks_drawn


def test_a_single_colour_image_is_blank() -> None:
    assert not looks_drawn(PixelCounts(total=1000, background=1000, colours=1))


def test_a_few_stray_pixels_still_count_as_blank() -> None:
    assert not looks_drawn(PixelCounts(total=100_000, background=99_950, colours=12))


def test_a_page_with_text_and_colour_is_drawn() -> None:
    assert looks_drawn(PixelCounts(total=100_000, background=80_000, colours=240))


def test_an_empty_image_is_blank() -> None:
    assert not looks_drawn(PixelCounts(total=0, background=0, colours=0))
