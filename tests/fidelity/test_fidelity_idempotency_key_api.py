"""The Idempotency-Key header on fidelity's creates: a retry returns the first answer."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.fidelity.fidelity_builders import observation
from tests.fidelity.fidelity_client import FidelityApi


def without_id(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k != "id"}


async def send_keyed(
    fidelity: FidelityApi, body: dict[str, Any], key: str, agency: str | None = None
) -> httpx.Response:
    headers = {**fidelity.headers("observer", body["observer_id"], agency), "Idempotency-Key": key}
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
