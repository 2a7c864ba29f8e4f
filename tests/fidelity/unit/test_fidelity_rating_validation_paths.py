"""`validate_ratings` answers a well-formed rating set in one pass over the instrument's
tables and anything else check by check: both paths must give the same answer, the same
ratings or the same error naming the same indicator, for every input."""

from __future__ import annotations

import random
from typing import Any

import pytest

from services.fidelity.domain.errors import InvalidObservationError
from services.fidelity.domain.instruments import Instrument
from services.fidelity.domain.scoring import (
    Rating,
    rating_values,
    validate_ratings,
    validated_step_by_step,
)
from services.fidelity.domain.seed_instruments import SEED_INSTRUMENTS

VALUES: list[Any] = [r.value for r in Rating]
# what a caller may send instead of a rating: unknown words, another case, not a string
WRONG_VALUES: list[Any] = ["yes", "Present", "", "n/a", None, 1, True, 1.0, ["present"], {}]


def _answer(instrument: Instrument, pairs: list[Any]) -> Any:
    """What validating gives: the ratings in order, or the error's kind, text and id."""
    try:
        valid = validate_ratings(instrument, pairs)
    except InvalidObservationError as error:
        return (type(error), error.detail, error.indicator_id)
    except TypeError as error:
        return (TypeError, str(error))
    return list(valid.items())


def _step_by_step(instrument: Instrument, pairs: list[Any]) -> Any:
    try:
        valid = validated_step_by_step(instrument, pairs)
    except InvalidObservationError as error:
        return (type(error), error.detail, error.indicator_id)
    except TypeError as error:
        return (TypeError, str(error))
    return list(valid.items())


def _spoil(draw: random.Random, pairs: list[Any], instrument: Instrument) -> list[Any]:
    """One to three faults of the kinds a caller makes, anywhere in the list."""
    spoiled = list(pairs)
    for _ in range(draw.randint(1, 3)):
        at = draw.randrange(len(spoiled)) if spoiled else 0
        fault = draw.choice(["drop", "repeat", "unknown", "rename", "value", "unhashable_id"])
        if fault == "drop" and spoiled:
            del spoiled[at]
        elif fault == "repeat" and spoiled:
            spoiled.insert(draw.randrange(len(spoiled) + 1), (spoiled[at][0], draw.choice(VALUES)))
        elif fault == "unknown":
            spoiled.insert(at, (f"NOT.{draw.randint(1, 9)}", draw.choice(VALUES)))
        elif fault == "rename" and spoiled:
            spoiled[at] = (f"{spoiled[at][0]}x", spoiled[at][1])
        elif fault == "value" and spoiled:
            spoiled[at] = (spoiled[at][0], draw.choice(WRONG_VALUES))
        elif fault == "unhashable_id" and spoiled:
            spoiled[at] = ([spoiled[at][0]], spoiled[at][1])
    return spoiled


@pytest.mark.parametrize("instrument", SEED_INSTRUMENTS, ids=lambda i: i.key)
def test_a_complete_rating_set_in_any_order_is_answered_as_check_by_check(
    instrument: Instrument,
) -> None:
    draw = random.Random(3)
    for _ in range(200):
        pairs: list[Any] = [(i, draw.choice(VALUES)) for i in instrument.indicator_ids()]
        draw.shuffle(pairs)
        answer = _answer(instrument, pairs)
        assert answer == _step_by_step(instrument, pairs)
        assert [i for i, _ in answer] == list(instrument.indicator_ids())
        assert all(type(rating) is Rating for _, rating in answer)


@pytest.mark.parametrize("instrument", SEED_INSTRUMENTS, ids=lambda i: i.key)
def test_every_faulty_rating_set_gets_the_error_the_checks_in_order_give(
    instrument: Instrument,
) -> None:
    draw = random.Random(9)
    for _ in range(400):
        pairs: list[Any] = [(i, draw.choice(VALUES)) for i in instrument.indicator_ids()]
        draw.shuffle(pairs)
        spoiled = _spoil(draw, pairs, instrument)
        assert _answer(instrument, spoiled) == _step_by_step(instrument, spoiled)


def test_a_duplicate_with_a_missing_indicator_names_the_duplicate() -> None:
    instrument = SEED_INSTRUMENTS[0]
    ids = instrument.indicator_ids()
    pairs = [(i, "present") for i in ids[:-1]] + [(ids[0], "absent")]  # the right count
    answer = _answer(instrument, pairs)
    assert answer[1:] == (f"indicator {ids[0]!r} is rated more than once", ids[0])


def test_rating_enum_members_are_accepted_as_their_values() -> None:
    instrument = SEED_INSTRUMENTS[0]
    ratings = {i: Rating.ABSENT for i in instrument.indicator_ids()}
    assert validate_ratings(instrument, ratings) == ratings


def test_rating_values_are_the_plain_strings_in_the_same_order() -> None:
    instrument = SEED_INSTRUMENTS[0]
    draw = random.Random(4)
    ratings = {i: draw.choice(list(Rating)) for i in instrument.indicator_ids()}
    values = rating_values(ratings)
    assert list(values.items()) == [(i, r.value) for i, r in ratings.items()]
    assert all(type(value) is str for value in values.values())
