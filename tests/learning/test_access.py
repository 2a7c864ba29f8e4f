"""Who may do what: the permission matrix, agency isolation, practitioners' own records."""

from __future__ import annotations

import pytest
from fastapi.routing import APIRoute

from services.learning.permissions import PERMISSIONS
from shared.auth import Allow
from tests.learning.api_builders import a_review, an_attempt
from tests.learning.learning_client import LearningApi


async def test_every_route_declares_an_action_of_the_permission_matrix(
    learning: LearningApi,
) -> None:
    public = {"/healthz", "/readyz", "/metrics", "/openapi.json", "/docs", "/redoc"}
    public.add("/docs/oauth2-redirect")
    for route in learning.app.routes:
        if not isinstance(route, APIRoute) or route.path in public:
            continue
        actions = [d.call.action for d in route.dependant.dependencies if isinstance(d.call, Allow)]
        assert len(actions) == 1, f"{route.path} declares {actions}"
        assert actions[0] in PERMISSIONS, f"{route.path}: {actions[0]} is not in the matrix"


async def test_another_agencys_learner_is_not_found(learning: LearningApi) -> None:
    await learning.master("p-1", ("M1",))
    attempt = (await learning.get("/attempts")).json()["items"][0]

    other = "agency-elsewhere"
    answers = [
        await learning.get("/practitioners/p-1/progress", agency=other),
        await learning.get("/practitioners/p-1/visibility", agency=other),
        await learning.get("/practitioners/p-1/due-reviews", agency=other),
        await learning.get("/enrollments/p-1", agency=other),
        await learning.get(f"/attempts/{attempt['id']}", agency=other),
    ]
    listed = await learning.get("/attempts", agency=other)
    review = await learning.post("/reviews", a_review("p-1"), agency=other)

    assert [a.status_code for a in answers] == [404] * len(answers)
    assert listed.json()["items"] == []
    assert review.status_code == 422  # not on that agency's roster
    assert review.json()["type"].endswith("/not-on-roster")
    assert await learning.stored_events("concept_reviewed") == 0


async def test_a_practitioner_reads_only_their_own_learning(learning: LearningApi) -> None:
    await learning.master("p-1", ("M1",))
    await learning.master("p-2", ("M1",))
    theirs = (await learning.get("/attempts", practitioner_id="p-2")).json()["items"][0]

    def as_p1(path: str, **params: str) -> object:
        return learning.get(path, role="practitioner", subject="p-1", **params)

    own = await as_p1("/practitioners/p-1/progress")
    other = await as_p1("/practitioners/p-2/progress")
    listed = await as_p1("/attempts")
    asked_for_other = await as_p1("/attempts", practitioner_id="p-2")
    by_id = await as_p1(f"/attempts/{theirs['id']}")
    enrollments = await as_p1("/enrollments")

    assert own.status_code == 200
    assert other.status_code == 403
    assert {a["practitioner_id"] for a in listed.json()["items"]} == {"p-1"}
    assert asked_for_other.status_code == 403
    assert by_id.status_code == 404
    assert [e["practitioner_id"] for e in enrollments.json()["items"]] == ["p-1"]


@pytest.mark.parametrize(
    ("role", "method", "path", "allowed"),
    [
        ("lms_partner", "GET", "/catalog/modules", False),
        ("lms_partner", "POST", "/attempts", False),
        ("auditor", "GET", "/attempts", True),
        ("auditor", "POST", "/attempts", False),
        ("coach", "POST", "/reviews", True),
        ("coach", "POST", "/attempts", False),
        ("coach", "GET", "/teams", True),
        ("practitioner", "GET", "/teams", False),
        ("practitioner", "POST", "/reviews", False),
        ("observer", "GET", "/catalog/modules", True),
        ("observer", "GET", "/attempts", False),
    ],
)
async def test_the_matrix_decides_each_role(
    learning: LearningApi, role: str, method: str, path: str, allowed: bool
) -> None:
    await learning.master("p-1", ("M1",))
    bodies = {
        "/attempts": an_attempt("p-1"),
        "/reviews": a_review("p-1"),
    }
    headers = learning.headers(role, subject="someone")

    if method == "GET":
        response = await learning.client.get(path, headers=headers)
    else:
        response = await learning.client.post(path, json=bodies[path], headers=headers)

    assert (response.status_code < 400) is allowed, response.text
    if not allowed:
        assert response.status_code == 403
        assert response.headers["content-type"] == "application/problem+json"


async def test_a_request_without_a_token_is_unauthorized(learning: LearningApi) -> None:
    response = await learning.client.get("/catalog/modules")

    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
