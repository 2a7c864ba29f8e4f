"""A fold guessed during a rebuild's replay is used only if folded from the very same inputs."""

from __future__ import annotations

import asyncio
from datetime import date

from services.certification.adapters.status_rows import StatusRow
from services.certification.domain.calibrations import Calibration
from services.certification.domain.publication import Announced
from services.certification.domain.transitions import (
    CertificationStatus,
    Transition,
    TransitionKind,
)
from services.certification.handlers.fold_jobs import Folded
from services.certification.handlers.rebuild_guesses import Guesses, _Guess, evidence_digest

TODAY = date(2026, 1, 10)
ITEMS = ['{"event_id": "e-1"}', '{"event_id": "e-2"}']
CALIBRATION = Calibration("a-1", "coach-1", "fidelity", date(2025, 1, 1), date(2026, 1, 1))
GRANTED = Announced(
    event_id="t-1",
    transition=Transition(
        level_key="facilitator",
        kind=TransitionKind.GRANTED,
        on=date(2025, 6, 1),
        from_status=CertificationStatus.IN_PROGRESS,
        to_status=CertificationStatus.CERTIFIED,
        reasons=(),
        evidence_ids=(),
    ),
)


def folded(practitioner_id: str) -> Folded:
    row = StatusRow(practitioner_id, "miiwrap-default", 1, TODAY, None, "{}", ())
    return Folded(row, has_news=False, fold_seconds=0.001)


async def guessed(announced: list[Announced]) -> Guesses:
    """A guess for "pr-1" folded from ITEMS, policy "P", CALIBRATION, ``announced``."""
    done: asyncio.Future[list[Folded]] = asyncio.get_running_loop().create_future()
    done.set_result([folded("pr-1")])
    guesses = Guesses(TODAY, policy_json="P", calibrations=frozenset({CALIBRATION}))
    guesses.by_practitioner["pr-1"] = _Guess(evidence_digest(ITEMS), announced, done, 0)
    return guesses


async def test_a_guess_folded_from_the_same_inputs_is_taken_in_any_order_of_the_items() -> None:
    guesses = await guessed([GRANTED])
    taken = await guesses.take(
        "pr-1", list(reversed(ITEMS)), [GRANTED], "P", frozenset({CALIBRATION})
    )
    assert taken == folded("pr-1")
    assert await guesses.take("pr-1", ITEMS, [GRANTED], "P", frozenset({CALIBRATION})) is None


async def test_a_guess_is_refused_when_any_input_of_the_fold_differs() -> None:
    calibrations = frozenset({CALIBRATION})
    for practitioner_id, items, announced, policy, calibrated in (
        ("pr-1", ITEMS[:1], [GRANTED], "P", calibrations),  # an item retracted
        ("pr-1", [*ITEMS, '{"event_id": "e-3"}'], [GRANTED], "P", calibrations),
        ("pr-1", ITEMS, [], "P", calibrations),  # other transitions announced
        ("pr-1", ITEMS, [GRANTED], "Q", calibrations),  # another policy adopted
        ("pr-1", ITEMS, [GRANTED], "P", frozenset()),  # other calibrations
        ("pr-2", ITEMS, [GRANTED], "P", calibrations),  # never guessed
    ):
        guesses = await guessed([GRANTED])
        assert await guesses.take(practitioner_id, items, announced, policy, calibrated) is None
