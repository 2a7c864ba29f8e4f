"""Recording an observation from the edge (its lean write) answers exactly as the route
declared: the same statuses, headers and bodies for every kind of request."""

from __future__ import annotations

import pytest

from tests.fidelity.fidelity_builders import observation
from tests.fidelity.fidelity_client import FidelityApi
from tests.kernel.lean_write_sides import Ask, Creates, assert_lean_equals_declared, usual_asks


async def test_an_observation_from_the_edge_is_answered_as_the_declared_route_answers(
    fidelity: FidelityApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def asks(tag: str) -> list[Ask]:
        practitioner, observer = f"pr-{tag}", f"obs-{tag}"
        await fidelity.roster.ensure(practitioner)
        good = observation(practitioner_id=practitioner, observer_id=observer)
        other = observation(practitioner_id=practitioner, observer_id=observer, setting="clinic")
        allowed = fidelity.headers("observer", observer)
        creates = Creates(
            allowed=allowed,
            forbidden=fidelity.headers("practitioner", practitioner),
            good=good,
            other=other,
            invalid={
                "a field missing": {k: v for k, v in good.items() if k != "meeting_date"},
                "a wrong type": {**good, "instrument_version": "first"},
                "a date that is none": {**good, "meeting_date": "2025-02-30"},
            },
            max_body_bytes=fidelity.settings.max_body_bytes,
            extra=[  # refused by the handler, past the model: the lean write answers them
                Ask(
                    "an unknown field",
                    allowed,
                    {**good, "id": None, "colour": "blue"},
                    answered_lean=True,
                ),
                Ask(
                    "an indicator rated twice",
                    allowed,
                    {**good, "id": None, "ratings": good["ratings"] * 2},
                    answered_lean=True,
                ),
                Ask(
                    "a practitioner not on the roster",
                    allowed,
                    {**good, "id": None, "practitioner_id": f"gone-{tag}"},
                    answered_lean=True,
                ),
                Ask(
                    "an unknown instrument",
                    allowed,
                    {**good, "id": None, "instrument_key": "nope"},
                    answered_lean=True,
                ),
                Ask(
                    "the id of another observation",
                    allowed,
                    {**other, "setting": "office"},
                    answered_lean=True,
                ),
            ],
        )
        return usual_asks(tag, creates)

    statuses = await assert_lean_equals_declared(
        fidelity.app, fidelity.client, "/observations", asks, monkeypatch
    )

    assert statuses == [
        *(201, 201, 422, 201, 200),  # created, replayed, key reused, created, repeated
        *(422, 422, 422, 422, 422, 400, 422, 415, 413),  # the model's, the guard's
        *(401, 401, 403),  # no token, a bad one, a role that may not
        *(201, 422, 422, 422, 409),  # the handler's: an unknown field is ignored
    ]
