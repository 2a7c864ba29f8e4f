"""The Idempotency-Key header on learning's creates, xAPI credential admin included."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.learning.api_builders import T0, an_attempt
from tests.learning.learning_client import LearningApi


async def keyed(
    learning: LearningApi, path: str, body: dict[str, Any], key: str, agency: str | None = None
) -> httpx.Response:
    headers = {**learning.headers(agency=agency), "Idempotency-Key": f'"{key}"'}
    return await learning.client.post(path, json=body, headers=headers)


async def test_a_retried_attempt_without_an_id_returns_the_first_answer(
    learning: LearningApi,
) -> None:
    await learning.enroll("p-1")
    key = str(uuid.uuid4())

    first = await keyed(learning, "/attempts", an_attempt("p-1", score=0.9), key)
    retry = await keyed(learning, "/attempts", an_attempt("p-1", score=0.9), key)

    assert first.status_code == 201, first.text
    assert (retry.status_code, retry.json()) == (201, first.json())
    assert retry.headers["idempotent-replayed"] == "true"
    assert await learning.stored_events("assessment_attempted") == 1


async def test_a_key_reused_for_another_attempt_is_refused(learning: LearningApi) -> None:
    await learning.enroll("p-1")
    key = str(uuid.uuid4())
    await keyed(learning, "/attempts", an_attempt("p-1", score=0.9), key)

    other = await keyed(learning, "/attempts", an_attempt("p-1", score=0.4, at=T0), key)

    assert other.status_code == 422
    assert other.json()["title"] == "Idempotency-Key reused"
    assert await learning.stored_events("assessment_attempted") == 1


async def test_a_failed_create_does_not_hold_its_key(learning: LearningApi) -> None:
    key = str(uuid.uuid4())
    refused = await keyed(learning, "/attempts", an_attempt("nobody-enrolled"), key)
    await learning.enroll("nobody-enrolled")

    again = await keyed(learning, "/attempts", an_attempt("nobody-enrolled"), key)

    assert refused.status_code >= 400
    assert again.status_code == 201, again.text


async def test_a_retried_lms_credential_issue_is_issued_once_and_its_secret_not_kept(
    learning: LearningApi,
) -> None:
    key = str(uuid.uuid4())
    body = {"partner_name": "Relias LMS"}

    first = await keyed(learning, "/xapi-credentials", body, key)
    retry = await keyed(learning, "/xapi-credentials", body, key)
    listed = await learning.get("/xapi-credentials")

    assert first.status_code == 201, first.text
    assert retry.status_code == 409
    assert "never kept" in retry.json()["detail"]
    assert first.json()["secret"] not in retry.text
    assert [c["key"] for c in listed.json()] == [first.json()["key"]]
