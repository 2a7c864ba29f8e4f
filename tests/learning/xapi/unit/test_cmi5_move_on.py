"""cmi5 moveOn: whether the verbs recorded for an AU in a registration satisfy it."""

from __future__ import annotations

import pytest

from services.learning.xapi import MoveOn, is_au_satisfied
from services.learning.xapi.cmi5 import (
    COMPLETED,
    FAILED,
    INITIALIZED,
    LAUNCHED,
    PASSED,
    TERMINATED,
    WAIVED,
)

SESSION = {LAUNCHED, INITIALIZED, TERMINATED}


@pytest.mark.parametrize(
    ("move_on", "nothing", "completed", "passed", "both"),
    [
        (MoveOn.PASSED, False, False, True, True),
        (MoveOn.COMPLETED, False, True, False, True),
        (MoveOn.COMPLETED_AND_PASSED, False, False, False, True),
        (MoveOn.COMPLETED_OR_PASSED, False, True, True, True),
        (MoveOn.NOT_APPLICABLE, True, True, True, True),
    ],
)
def test_follows_the_move_on_table(
    move_on: MoveOn, nothing: bool, completed: bool, passed: bool, both: bool
) -> None:
    assert is_au_satisfied(move_on, SESSION) is nothing
    assert is_au_satisfied(move_on, SESSION | {COMPLETED}) is completed
    assert is_au_satisfied(move_on, SESSION | {PASSED}) is passed
    assert is_au_satisfied(move_on, SESSION | {COMPLETED, PASSED}) is both


@pytest.mark.parametrize("move_on", list(MoveOn))
def test_a_waived_au_is_satisfied_whatever_its_move_on(move_on: MoveOn) -> None:
    assert is_au_satisfied(move_on, {WAIVED})


def test_failed_does_not_satisfy_passed_nor_undo_a_later_pass() -> None:
    assert not is_au_satisfied(MoveOn.PASSED, {FAILED})
    assert not is_au_satisfied(MoveOn.COMPLETED_OR_PASSED, {FAILED})
    assert is_au_satisfied(MoveOn.PASSED, [FAILED, PASSED])


def test_accepts_the_move_on_as_written_in_the_course_structure() -> None:
    assert is_au_satisfied("CompletedAndPassed", [COMPLETED, PASSED])


def test_ignores_verbs_from_outside_cmi5() -> None:
    assert not is_au_satisfied(MoveOn.COMPLETED, {"http://adlnet.gov/expapi/verbs/completed"})


@pytest.mark.parametrize("move_on", ["passed", "Completed Or Passed", ""])
def test_rejects_a_move_on_outside_the_vocabulary(move_on: str) -> None:
    with pytest.raises(ValueError):
        is_au_satisfied(move_on, {PASSED})
