"""`create_once` without the look-up first answers exactly as looking first does; the
fingerprint of a command stays the one stored with earlier records."""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import json
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from shared.idempotency import create_once, fingerprint
from shared.problems import Conflict, Unprocessable


def run(find_result: tuple[str, str] | None, create_error: Exception | None) -> tuple[str, bool]:
    looked: list[str] = []

    async def find() -> tuple[str, str] | None:
        looked.append("find")
        return find_result

    async def create() -> str:
        if create_error is not None:
            raise create_error
        return "new record"

    async def both() -> tuple[str, bool]:
        return await create_once(
            what="record 1", find=find, create=create, content_hash="h1", find_first=False
        )

    result = asyncio.run(both())
    if create_error is None:
        assert looked == []  # a new record costs no look-up
    return result


def test_a_new_record_is_created_without_looking_for_it() -> None:
    assert run(None, None) == ("new record", True)


def test_a_repeat_refused_by_today_s_checks_still_answers_the_stored_record() -> None:
    refusal = Unprocessable("the practitioner is not on the roster on that day")
    assert run(("stored record", "h1"), refusal) == ("stored record", False)


def test_a_repeat_with_other_content_is_a_conflict() -> None:
    with pytest.raises(Conflict, match="already exists with different content"):
        run(("stored record", "other"), Unprocessable("refused"))


def test_a_refusal_of_a_record_that_does_not_exist_is_raised_as_it_was() -> None:
    refusal = Unprocessable("instrument 'x' does not exist")
    with pytest.raises(Unprocessable) as raised:
        run(None, refusal)
    assert raised.value is refusal


@dataclass(frozen=True)
class Inner:
    when: date
    tags: tuple[str, ...]


@dataclass(frozen=True)
class Command:
    name: str
    inner: Inner
    items: list[Inner]
    extra: dict[str, Any]
    pair: tuple[int, float]


def test_a_command_s_fingerprint_is_the_one_stored_with_earlier_records() -> None:
    inner = Inner(date(2026, 3, 1), ("a", "b"))
    command = Command("x", inner, [inner, inner], {"k": [inner], "n": None}, (1, 2.5))
    earlier = json.dumps(
        [dataclasses.asdict(command), 7], sort_keys=True, default=str, separators=(",", ":")
    )
    assert fingerprint(command, 7) == hashlib.sha256(earlier.encode()).hexdigest()
