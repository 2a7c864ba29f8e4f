"""Registering a practitioner from the edge (its lean write) answers exactly as the
route declared: the same statuses, headers and bodies for every kind of request."""

from __future__ import annotations

import pytest

from tests.certification.certification_client import CertificationApi
from tests.kernel.lean_write_sides import Ask, Creates, assert_lean_equals_declared, usual_asks


def registration(practitioner: str, **changes: object) -> dict[str, object]:
    return {
        "practitioner_id": practitioner,
        "role": "facilitator",
        "program_start": "2024-01-08",
        "coach_id": "coach-1",
        "supervisor_id": "sup-1",
        **changes,
    }


async def test_a_registration_from_the_edge_is_answered_as_the_declared_route_answers(
    certification: CertificationApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def asks(tag: str) -> list[Ask]:
        good = registration(f"pr-{tag}")
        other = registration(f"pr2-{tag}")
        allowed = certification.headers("admin", f"admin-{tag}")
        creates = Creates(
            allowed=allowed,
            forbidden=certification.headers("coach", f"coach-{tag}"),
            good=good,
            other=other,
            invalid={
                "a field missing": {k: v for k, v in good.items() if k != "role"},
                "an unknown role": {**good, "role": "wizard"},
                "a date that is none": {**good, "program_start": "2024-02-30"},
                "an id with a space": {**good, "practitioner_id": "pr x"},
                "a start after today": {**good, "program_start": "2099-01-01"},
            },
            max_body_bytes=certification.settings.max_body_bytes,
            extra=[  # refused by the handler, past the model: the lean write answers them
                Ask(
                    "the same id with other details",
                    allowed,
                    {**other, "coach_id": "coach-2"},
                    answered_lean=True,
                ),
            ],
        )
        return usual_asks(tag, creates)

    statuses = await assert_lean_equals_declared(
        certification.app, certification.client, "/practitioners", asks, monkeypatch
    )

    assert statuses == [
        *(201, 201, 422, 201, 200),  # created, replayed, key reused, created, repeated
        *(422, 422, 422, 422, 422, 422, 422, 400, 422, 415, 413),  # the model's, the guard's
        *(401, 401, 403),  # no token, a bad one, a role that may not
        409,  # the handler's
    ]
