"""The Idempotency-Key header on certification's creates."""

from __future__ import annotations

import uuid

from tests.certification.certification_client import CertificationApi
from tests.certification.policy_drafts import policy_json, with_tenure


async def test_a_retried_policy_version_returns_the_first_answer(
    certification: CertificationApi,
) -> None:
    headers = {**certification.headers(), "Idempotency-Key": str(uuid.uuid4())}
    body = policy_json(version=2)

    first = await certification.client.post("/policies", json=body, headers=headers)
    retry = await certification.client.post("/policies", json=body, headers=headers)
    other = await certification.client.post(
        "/policies", json=with_tenure(policy_json(version=2), 30), headers=headers
    )

    assert first.status_code == 201, first.text
    assert (retry.status_code, retry.json()) == (201, first.json())
    assert retry.headers["idempotent-replayed"] == "true"
    assert other.status_code == 422
    assert "different body" in other.json()["detail"]


async def test_a_retried_roster_change_returns_the_first_answer_and_is_recorded_once(
    certification: CertificationApi,
) -> None:
    await certification.register("pr-1")
    headers = {**certification.headers(), "Idempotency-Key": str(uuid.uuid4())}
    body = {"effective_on": "2025-06-02", "supervisor_id": "sup-2"}

    first = await certification.client.post(
        "/practitioners/pr-1/changes", json=body, headers=headers
    )
    retry = await certification.client.post(
        "/practitioners/pr-1/changes", json=body, headers=headers
    )

    assert first.status_code == 201, first.text
    assert (retry.status_code, retry.json()) == (201, first.json())
    assert retry.headers["idempotent-replayed"] == "true"
    history = (await certification.get("/practitioners/pr-1")).json()["history"]
    assert [change["kind"] for change in history] == ["registered", "details_changed"]
