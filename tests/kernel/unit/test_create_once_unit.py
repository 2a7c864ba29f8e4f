"""`create_once` without the look-up first answers exactly as looking first does."""

from __future__ import annotations

import asyncio

import pytest

from shared.idempotency import create_once
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
