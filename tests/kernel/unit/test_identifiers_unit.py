"""A plain ASCII id is taken at once; the answer is the whole rule's for every id."""

from __future__ import annotations

import pytest

from shared.identifiers import MAX_ID_CHARS, checked_identifier, normalise_identifier

ASCII = [chr(code) for code in range(128)]
SHAPES = [
    *(f"prac-{char}-1" for char in ASCII),
    *ASCII,
    "",
    "p" * MAX_ID_CHARS,
    "p" * (MAX_ID_CHARS + 1),
    "e\u0301",
    "pr\u00e9-1",
    "p\u200bx",
    "p\u00a0x",
]


def outcome(rule: object, value: str) -> str:
    assert callable(rule)
    try:
        return f"taken {rule(value)!r}"
    except ValueError as refused:
        return f"refused: {refused}"


@pytest.mark.parametrize("value", SHAPES)
def test_an_id_is_taken_or_refused_as_the_whole_rule_says(value: str) -> None:
    assert outcome(normalise_identifier, value) == outcome(checked_identifier, value)


def test_the_ascii_ids_refused_are_those_with_a_control_a_space_or_a_slash() -> None:
    taken = {
        char for char in ASCII if outcome(normalise_identifier, f"a{char}b").startswith("taken")
    }
    assert set(ASCII) - taken == {*(chr(code) for code in range(33)), "/", "\x7f"}
