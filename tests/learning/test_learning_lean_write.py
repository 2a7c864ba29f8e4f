"""Recording an attempt from the edge (its lean write) answers exactly as the route
declared: the same statuses, headers and bodies for every kind of request."""

from __future__ import annotations

import uuid

import pytest

from tests.kernel.lean_write_sides import Ask, Creates, assert_lean_equals_declared, usual_asks
from tests.learning.api_builders import an_attempt
from tests.learning.learning_client import LearningApi


async def test_an_attempt_from_the_edge_is_answered_as_the_declared_route_answers(
    learning: LearningApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def asks(tag: str) -> list[Ask]:
        practitioner = f"pr-{tag}"
        await learning.enroll(practitioner)
        good = an_attempt(practitioner, score=0.5)
        other = an_attempt(practitioner, score=0.95, id=str(uuid.uuid4()))
        allowed = learning.headers("admin", f"admin-{tag}")
        creates = Creates(
            allowed=allowed,
            forbidden=learning.headers("coach", f"coach-{tag}"),
            good=good,
            other=other,
            invalid={
                "a field missing": {k: v for k, v in good.items() if k != "module_id"},
                "a wrong type": {**good, "scaled_score": "high"},
            },
            max_body_bytes=learning.settings.max_body_bytes,
            extra=[  # refused by the handler, past the model: the lean write answers them
                Ask(
                    "a score out of range", allowed, {**good, "scaled_score": 7}, answered_lean=True
                ),
                Ask(
                    "a practitioner not enrolled",
                    allowed,
                    an_attempt(f"gone-{tag}"),
                    answered_lean=True,
                ),
                Ask(
                    "an unknown module", allowed, {**good, "module_id": "M404"}, answered_lean=True
                ),
                Ask(
                    "the id of another attempt",
                    allowed,
                    {**other, "scaled_score": 0.1},
                    answered_lean=True,
                ),
            ],
        )
        return usual_asks(tag, creates)

    statuses = await assert_lean_equals_declared(
        learning.app, learning.client, "/attempts", asks, monkeypatch
    )

    assert statuses == [
        *(201, 201, 422, 201, 200),  # created, replayed, key reused, created, repeated
        *(422, 422, 422, 422, 400, 422, 415, 413),  # the model's, the guard's
        *(401, 401, 403),  # no token, a bad one, a role that may not
        *(422, 422, 422, 409),  # the handler's
    ]
