"""The Idempotency-Key header on coaching's creates; keys never meet across agencies."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.coaching.coaching_api import COACH, CoachingApi, assignment_body, session_body


def a_session_without_id(**overrides: Any) -> dict[str, Any]:
    return {k: v for k, v in session_body(**overrides).items() if k != "id"}


async def keyed(
    api: CoachingApi, body: dict[str, Any], key: str, agency: str | None = None
) -> httpx.Response:
    headers = {**api.as_(COACH, "coach", agency_id=agency), "Idempotency-Key": key}
    return await api.post("/sessions", body, headers)


async def test_a_retried_session_without_an_id_is_logged_once(api: CoachingApi) -> None:
    await api.assign()
    before = (await api.stored())["events"]
    body, key = a_session_without_id(), str(uuid.uuid4())

    first = await keyed(api, body, key)
    retry = await keyed(api, body, key)
    other = await keyed(api, a_session_without_id(duration_minutes=30), key)

    assert first.status_code == 201, first.text
    assert (retry.status_code, retry.json()) == (201, first.json())
    assert other.status_code == 422
    assert (await api.stored())["events"] == before + 1


async def test_the_same_key_in_two_agencies_makes_two_sessions(api: CoachingApi) -> None:
    body, key = a_session_without_id(), str(uuid.uuid4())
    other_agency = f"{api.agency_id}-other"
    await api.roster.for_agency(other_agency).register(body["practitioner_id"])
    await api.assign()
    await api.created(
        "/assignments", assignment_body(), api.as_("admin", "admin", agency_id=other_agency)
    )

    before = (await api.stored())["events"]
    ours = await keyed(api, body, key)
    theirs = await keyed(api, body, key, agency=other_agency)

    assert (ours.status_code, theirs.status_code) == (201, 201), theirs.text
    assert "idempotent-replayed" not in theirs.headers
    assert ours.json()["id"] != theirs.json()["id"]
    assert (await api.stored())["events"] == before + 1
