"""A module's attempt history and its shared id index: the same answers as a plain scan,
whichever history a fold grows (the newest, an older cached one, a branch)."""

from __future__ import annotations

import random
from datetime import datetime

from services.learning.domain.attempt_history import (
    AttemptHistory,
    AttemptResult,
    find_attempt,
    indexed,
    with_attempt,
)
from services.learning.domain.catalog import Catalog
from services.learning.domain.mastery import AttemptOutcome, apply_attempt
from tests.learning.unit.learning_builders import DAY, T0, enrolled


def result(attempt_id: str, at: datetime, score: float = 0.5) -> AttemptResult:
    return AttemptResult(
        attempt_id=attempt_id, attempted_at=at, passed=score >= 0.8, scaled_score=score
    )


def outcome(attempt_id: str, at: datetime, score: float = 0.5) -> AttemptOutcome:
    return AttemptOutcome(
        attempt_id=attempt_id,
        module_id="M1",
        attempted_at=at,
        scaled_score=score,
        mastery_score=0.8,
        mastered=score >= 0.8,
        newly_mastered=False,
        previous_module_mastered=None,
    )


def ids(attempts: tuple[AttemptResult, ...]) -> list[str]:
    return [a.attempt_id for a in attempts]


def test_a_redelivered_attempt_changes_nothing_however_long_the_history(
    catalog: Catalog,
) -> None:
    progress = enrolled(catalog, T0)
    for n in range(300):
        progress = apply_attempt(progress, outcome(f"a{n}", T0 + n * DAY))

    again = apply_attempt(progress, outcome("a17", T0 + 400 * DAY, score=0.9))

    assert again is progress
    assert len(progress.modules["M1"].attempts) == 300


def test_attempts_arriving_out_of_order_are_kept_in_practice_order_after_their_equals() -> None:
    history: tuple[AttemptResult, ...] = ()
    for days, attempt_id in [(5, "e"), (1, "a"), (5, "f"), (3, "c"), (1, "b"), (9, "z")]:
        history = with_attempt(history, result(attempt_id, T0 + days * DAY))

    assert ids(history) == ["a", "b", "c", "e", "f", "z"]
    assert all(find_attempt(history, i) is not None for i in "abcefz")


def test_growing_an_older_history_with_another_attempt_does_not_leak_into_the_newer() -> None:
    older = with_attempt((), result("a", T0))
    newer = with_attempt(older, result("b", T0 + DAY))

    branch = with_attempt(older, result("c", T0 + 2 * DAY))

    assert (ids(newer), ids(branch)) == (["a", "b"], ["a", "c"])
    assert find_attempt(branch, "b") is None and find_attempt(newer, "c") is None
    assert find_attempt(older, "b") is None and find_attempt(older, "c") is None
    # each branch goes on growing correctly
    assert ids(with_attempt(branch, result("b", T0 + 3 * DAY))) == ["a", "c", "b"]
    assert find_attempt(with_attempt(newer, result("d", T0)), "c") is None


def test_folding_the_same_attempt_again_onto_the_older_history_finds_it_in_both() -> None:
    cached = with_attempt((), result("a", T0))
    written = with_attempt(cached, result("b", T0 + DAY))

    refolded = with_attempt(cached, result("b", T0 + DAY))

    assert refolded == written and refolded.ranks is written.ranks
    assert find_attempt(refolded, "b") == result("b", T0 + DAY)
    assert find_attempt(cached, "b") is None


def test_the_same_attempt_id_with_other_content_on_a_branch_keeps_each_branch_own() -> None:
    cached = with_attempt((), result("a", T0))
    written = with_attempt(cached, result("b", T0 + DAY, score=0.4))

    other = with_attempt(cached, result("b", T0 + DAY, score=0.9))

    assert find_attempt(written, "b") == result("b", T0 + DAY, score=0.4)
    assert find_attempt(other, "b") == result("b", T0 + DAY, score=0.9)


def test_a_plain_tuple_of_attempts_is_indexed_when_first_looked_up() -> None:
    plain = (result("a", T0), result("b", T0 + DAY))

    history = indexed(plain)

    assert isinstance(history, AttemptHistory) and history == plain
    assert find_attempt(plain, "b") == plain[1] and find_attempt(plain, "x") is None


def test_any_order_of_growth_answers_as_a_scan_and_a_stable_sort_would() -> None:
    rng = random.Random(14)
    histories: list[tuple[AttemptResult, ...]] = [()]
    for n in range(300):
        base = rng.choice(histories[-3:] if rng.random() < 0.8 else histories)
        if base and rng.random() < 0.2:
            attempt = rng.choice(base)  # a redelivery: looked up, not added
            assert find_attempt(base, attempt.attempt_id) == attempt
            continue
        added = result(f"a{n}", T0 + rng.randrange(30) * DAY)
        grown = with_attempt(base, added)
        expected = sorted([*base, added], key=lambda a: a.attempted_at)
        assert list(grown) == expected
        assert all(find_attempt(grown, a.attempt_id) is a for a in expected)
        # every id is new: no history grown before knows it
        assert all(find_attempt(h, added.attempt_id) is None for h in histories)
        histories.append(grown)
