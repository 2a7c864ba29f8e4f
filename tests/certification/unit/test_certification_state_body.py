"""The stored state body (`state_json`) is byte for byte the documented response model's
JSON, for seeded random histories of every shape (fold_histories.py)."""

from __future__ import annotations

from services.certification.domain.evaluate import evaluate
from services.certification.models.certification import state_json, state_public
from tests.certification.unit.fold_histories import cases


def test_the_stored_state_body_is_the_response_models_json_for_every_history() -> None:
    compared = 0
    shapes = set()
    for case in cases(20):
        for on in case.as_of:
            state = evaluate(case.policy, case.evidence, on)
            assert state_json(state) == state_public(state).model_dump_json(by_alias=True)
            compared += 1
            shapes |= {level.status for level in state.levels}
            shapes |= {"transitions"} if state.transitions else set()
    assert compared > 40
    # the histories reach every status the body writes, and transitions
    assert {"not_started", "in_progress", "certified", "lapsed", "transitions"} <= shapes
