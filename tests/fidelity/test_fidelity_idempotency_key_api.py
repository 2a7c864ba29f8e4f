"""The Idempotency-Key header on fidelity's creates: a retry returns the first answer."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

import httpx

from shared.idempotency_keys import KeyScope, Outcome, claim
from shared.idempotency_middleware import body_fingerprint
from shared.testing.apps import runtime_of
from tests.fidelity.fidelity_builders import observation
from tests.fidelity.fidelity_client import FidelityApi


def without_id(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k != "id"}


async def send_keyed(
    fidelity: FidelityApi, body: dict[str, Any], key: str, agency: str | None = None
) -> httpx.Response:
    headers = {**fidelity.headers("observer", body["observer_id"], agency), "Idempotency-Key": key}
    roster = fidelity.roster if agency is None else fidelity.roster.for_agency(agency)
    await roster.ensure(body["practitioner_id"])
    return await fidelity.client.post("/observations", json=body, headers=headers)


async def test_a_retried_observation_without_an_id_is_stored_once_and_answered_alike(
    fidelity: FidelityApi,
) -> None:
    body = without_id(observation())
    key = str(uuid.uuid4())

    first = await send_keyed(fidelity, body, key)
    retry = await send_keyed(fidelity, body, key)

    assert first.status_code == 201, first.text
    assert (retry.status_code, retry.json()) == (201, first.json())
    assert retry.headers["idempotent-replayed"] == "true"
    assert await fidelity.count("observations") == 1
    assert await fidelity.count("events") == 1


async def test_the_same_key_with_another_body_is_refused(fidelity: FidelityApi) -> None:
    key = str(uuid.uuid4())
    await send_keyed(fidelity, without_id(observation(setting="family home")), key)

    other = await send_keyed(fidelity, without_id(observation(setting="clinic")), key)

    assert other.status_code == 422
    assert other.headers["content-type"] == "application/problem+json"
    assert "different body" in other.json()["detail"]
    assert await fidelity.count("observations") == 1


async def test_without_the_header_two_posts_are_two_observations(fidelity: FidelityApi) -> None:
    body = without_id(observation())

    await fidelity.record(body)
    await fidelity.record(body)

    assert await fidelity.count("observations") == 2


async def test_a_retry_while_the_first_request_runs_is_told_to_wait(
    fidelity: FidelityApi,
) -> None:
    body, key = without_id(observation()), str(uuid.uuid4())
    scope = KeyScope(fidelity.agency_id, body["observer_id"], "POST /observations", key)
    running_first = await claim(
        runtime_of(fidelity.app).pool,
        scope,
        body_fingerprint(json.dumps(body).encode()),
        ttl=timedelta(hours=1),
        lease=timedelta(minutes=1),
    )

    retry = await send_keyed(fidelity, body, key)

    assert running_first.outcome is Outcome.CLAIMED
    assert retry.status_code == 409
    assert retry.headers["retry-after"] == "1"
    assert "still being processed" in retry.json()["detail"]
    assert await fidelity.count("observations") == 0


async def test_a_retry_after_a_lost_answer_lands_on_the_record_the_first_made(
    fidelity: FidelityApi,
) -> None:
    body, key = without_id(observation()), str(uuid.uuid4())
    first = await send_keyed(fidelity, body, key)
    async with runtime_of(fidelity.app).pool.acquire() as conn:  # the answer never got kept
        await conn.execute(
            "UPDATE idempotency_keys SET response_status = NULL, lease_until = NULL WHERE key = $1",
            key,
        )

    retry = await send_keyed(fidelity, body, key)

    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.json()["id"] == first.json()["id"]
    assert await fidelity.count("observations") == 1
