"""Logging a session from the edge (its lean write) answers exactly as the route
declared: the same statuses, headers and bodies for every kind of request."""

from __future__ import annotations

import pytest

from tests.coaching.coaching_api import CoachingApi, assignment_body, new_id, session_body
from tests.kernel.lean_write_sides import Ask, Creates, assert_lean_equals_declared, usual_asks


async def test_a_session_from_the_edge_is_answered_as_the_declared_route_answers(
    api: CoachingApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert api.app is not None

    async def asks(tag: str) -> list[Ask]:
        practitioner, coach = f"pr-{tag}", f"coach-{tag}"
        await api.created(
            "/assignments", assignment_body(coach_id=coach, practitioner_id=practitioner), api.admin
        )
        good = {k: v for k, v in session_body(practitioner_id=practitioner).items() if k != "id"}
        other = session_body(practitioner_id=practitioner, duration_minutes=45)
        allowed = api.coach(coach)
        creates = Creates(
            allowed=allowed,
            forbidden=api.as_(f"aud-{tag}", "auditor"),
            good=good,
            other=other,
            invalid={
                "a field missing": {k: v for k, v in good.items() if k != "held_on"},
                "a wrong type": {**good, "duration_minutes": "long"},
                "an unknown modality": {**good, "modality": "telepathy"},
            },
            max_body_bytes=api.settings.max_body_bytes,
            extra=[  # refused by the handler, past the model: the lean write answers them
                Ask(
                    "a practitioner not assigned to the coach",
                    allowed,
                    session_body(practitioner_id=f"gone-{tag}"),
                    answered_lean=True,
                ),
                Ask(
                    "the id of another session",
                    allowed,
                    {**other, "duration_minutes": 30},
                    answered_lean=True,
                ),
                Ask("a fresh id", allowed, {**good, "id": new_id()}, answered_lean=True),
            ],
        )
        return usual_asks(tag, creates)

    statuses = await assert_lean_equals_declared(
        api.app, api.client, "/sessions", asks, monkeypatch
    )

    assert statuses == [
        *(201, 201, 422, 201, 200),  # created, replayed, key reused, created, repeated
        *(422, 422, 422, 422, 422, 400, 422, 415, 413),  # the model's, the guard's
        *(401, 401, 403),  # no token, a bad one, a role that may not
        *(422, 409, 201),  # the handler's
    ]
