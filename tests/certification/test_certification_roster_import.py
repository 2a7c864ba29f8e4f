"""Bulk import of the roster: registrations through the route's own code."""

from __future__ import annotations

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
