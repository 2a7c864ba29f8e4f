"""Bulk import of the roster: registrations and their lifecycle, through the routes' code."""

from __future__ import annotations

import uuid
from typing import Any

from shared.testing.imports import finished_report, invalid_lines, ndjson, post_import
from tests.certification.certification_client import CertificationApi


def registration(practitioner_id: str, **changes: Any) -> dict[str, Any]:
    return {
        "kind": "registration",
        "practitioner_id": practitioner_id,
        "role": "facilitator",
        "program_start": "2025-01-06",
        "coach_id": "coach-1",
        "supervisor_id": "sup-1",
        **changes,
    }


async def test_a_roster_is_imported_once_identified_by_practitioner_id(
    certification: CertificationApi,
) -> None:
    lines = [
        registration("pr-imp-1"),
        registration("pr-imp-2"),
        registration("pr-imp-3", role="juggler"),
        registration("pr-imp-1", coach_id="coach-9"),
    ]
    body = ndjson(lines)

    first = await post_import(certification.client, certification.headers(), body)
    report = await finished_report(
        certification.client, certification.headers(), first.json()["id"]
    )
    again = await post_import(certification.client, certification.headers(), body)
    repeated = await finished_report(
        certification.client, certification.headers(), again.json()["id"]
    )

    assert (report["stored"], report["invalid"]) == (2, 2)
    assert (repeated["stored"], repeated["already_present"], repeated["invalid"]) == (0, 2, 2)
    errors = await invalid_lines(certification.client, certification.headers(), report["id"])
    assert [(e["line"], e["problem"]["status"]) for e in errors] == [(3, 422), (4, 409)]
    assert "role" in errors[0]["problem"]["detail"]
    registered = (await certification.get("/practitioners/pr-imp-1")).json()
    assert registered["coach_id"] == "coach-1"


def roster_history() -> list[dict[str, Any]]:
    return [
        registration("pr-imp-1"),
        registration("pr-imp-2"),
        {
            "kind": "change",
            "id": str(uuid.uuid4()),
            "practitioner_id": "pr-imp-1",
            "effective_on": "2025-06-02",
            "supervisor_id": "sup-2",
        },
        {
            "kind": "leaving",
            "id": str(uuid.uuid4()),
            "practitioner_id": "pr-imp-2",
            "effective_on": "2025-07-01",
            "reason": "moved away",
        },
        {
            "kind": "return",
            "id": str(uuid.uuid4()),
            "practitioner_id": "pr-imp-2",
            "effective_on": "2025-09-01",
        },
        registration("pr-imp-3", role="juggler"),
    ]


async def test_a_roster_history_is_imported_once_with_its_lifecycle(
    certification: CertificationApi,
) -> None:
    body = ndjson(roster_history())

    first = await post_import(certification.client, certification.headers(), body)
    report = await finished_report(
        certification.client, certification.headers(), first.json()["id"]
    )
    again = await post_import(certification.client, certification.headers(), body)
    repeated = await finished_report(
        certification.client, certification.headers(), again.json()["id"]
    )

    assert (report["stored"], report["invalid"]) == (5, 1)
    assert (repeated["stored"], repeated["already_present"], repeated["invalid"]) == (0, 5, 1)
    [error] = await invalid_lines(certification.client, certification.headers(), report["id"])
    assert error["line"] == 6 and "role" in error["problem"]["detail"]
    moved = (await certification.get("/practitioners/pr-imp-1")).json()
    # the change named the supervisor only: the coach stays as registered
    assert (moved["supervisor_id"], moved["coach_id"]) == ("sup-2", "coach-1")
    back = (await certification.get("/practitioners/pr-imp-2")).json()
    assert [h["kind"] for h in back["history"]] == ["registered", "left", "returned"]
