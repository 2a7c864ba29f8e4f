"""Stream ids and subject tokens: the plain-id shortcut escapes exactly as quoting does."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from shared.naming import escape_part, stream_id, stream_parts


@pytest.mark.parametrize(
    "part",
    ["p-1", "Agency_9~x", "", "a.b", "a/b", "50%", "é", "x y", "a*b>c", "-", "LONG" * 40],
)
def test_a_part_escapes_as_percent_quoting_with_dots_escaped_too(part: str) -> None:
    assert escape_part(part) == quote(part, safe="-_~").replace(".", "%2E")


def test_a_stream_id_of_plain_and_odd_parts_maps_back_to_its_parts() -> None:
    parts = ["learner", "agency-a", "p.1/2 é"]
    assert stream_parts(stream_id(*parts)) == parts
