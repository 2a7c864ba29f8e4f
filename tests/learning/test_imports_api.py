"""Bulk import in learning: NDJSON lines through the same handlers as the single POSTs."""

from __future__ import annotations

import codecs
import uuid
from typing import Any

from services.learning.bootstrap import create_service_app
from services.learning.config import LearningSettings
from shared.testing.apps import bearer, running, runtime_of
from shared.testing.imports import finished_report, invalid_lines, ndjson, post_import
from shared.testing.roster import RosterAnnouncer
from tests.learning.api_builders import an_attempt, an_enrollment
from tests.learning.learning_client import LearningApi


def _id() -> str:
    return str(uuid.uuid4())


def history(practitioner: str) -> list[dict[str, Any] | str]:
    """Two good records, then four lines each wrong in its own way (lines 3-6)."""
    return [
        {"kind": "enrollment", "id": _id(), **an_enrollment(practitioner)},
        {"kind": "attempt", "id": _id(), **an_attempt(practitioner, "M1", 0.9)},
        {"kind": "attempt", "id": _id(), **an_attempt(practitioner, "M99", 0.9)},
        '{"kind": "attempt", "id": ',
        {"kind": "quiz", "id": _id(), **an_attempt(practitioner)},
        {"kind": "attempt", **an_attempt(practitioner, "M2", 0.8)},
    ]


async def test_a_dry_run_reports_each_invalid_line_by_number_and_stores_nothing(
    learning: LearningApi,
) -> None:
    await learning.roster.ensure("prac-dry")
    lines = history("prac-dry")
    response = await post_import(learning.client, learning.headers(), ndjson(lines), dry_run=True)

    assert response.status_code == 200, response.text
    report = response.json()
    assert report["dry_run"] is True
    assert report["status"] == "completed"
    assert (report["received"], report["stored"], report["invalid"]) == (6, 2, 4)
    kinds = {k["kind"]: k for k in report["kinds"]}
    assert kinds["enrollment"]["stored"] == 1
    assert kinds["attempt"]["stored"] == 1
    errors = await invalid_lines(learning.client, learning.headers(), report["id"])
    assert [e["line"] for e in errors] == [3, 4, 5, 6]
    assert "M99" in errors[0]["problem"]["detail"]
    assert errors[0]["problem"]["status"] == 422
    assert "not valid JSON" in errors[1]["problem"]["detail"]
    assert "'kind' must be one of" in errors[2]["problem"]["detail"]
    assert "needs its stable 'id'" in errors[3]["problem"]["detail"]
    attempt_id = lines[1]["id"]  # type: ignore[index]
    assert (await learning.get(f"/attempts/{attempt_id}")).status_code == 404
    assert (await learning.get("/enrollments/prac-dry")).status_code == 404


async def test_a_real_import_stores_the_valid_lines_and_reports_them_completed(
    learning: LearningApi,
) -> None:
    await learning.roster.ensure("prac-real")
    lines = history("prac-real")
    response = await post_import(learning.client, learning.headers(), ndjson(lines))

    assert response.status_code == 202, response.text
    assert response.headers["location"] == f"/imports/{response.json()['id']}"
    report = await finished_report(learning.client, learning.headers(), response.json()["id"])
    assert report["status"] == "completed"
    assert (report["stored"], report["already_present"], report["invalid"]) == (2, 0, 4)
    assert (report["done"], report["total"]) == (6, 6)
    attempt = lines[1]
    stored = await learning.get(f"/attempts/{attempt['id']}")  # type: ignore[index]
    assert stored.status_code == 200
    assert stored.json()["passed"] is True
    # the single-record POST of the same record is a faithful repeat of what the import stored
    body = {k: v for k, v in attempt.items() if k != "kind"}  # type: ignore[union-attr]
    repeat = await learning.post("/attempts", body)
    assert repeat.status_code == 200
    assert repeat.json() == stored.json()
    assert (await learning.get("/enrollments/prac-real")).status_code == 200


async def test_importing_the_same_file_again_stores_nothing_new(learning: LearningApi) -> None:
    await learning.roster.ensure("prac-again")
    body = ndjson(history("prac-again"))
    first = await post_import(learning.client, learning.headers(), body)
    await finished_report(learning.client, learning.headers(), first.json()["id"])

    again = await post_import(learning.client, learning.headers(), body)
    report = await finished_report(learning.client, learning.headers(), again.json()["id"])

    assert (report["stored"], report["already_present"], report["invalid"]) == (0, 2, 4)
    attempts = await learning.get("/attempts", practitioner_id="prac-again")
    assert len(attempts.json()["items"]) == 1


async def test_a_line_reusing_an_id_with_other_content_is_invalid_and_names_the_conflict(
    learning: LearningApi,
) -> None:
    await learning.roster.ensure("prac-twice")
    record_id = _id()
    lines = [
        {"kind": "enrollment", "id": _id(), **an_enrollment("prac-twice")},
        {"kind": "attempt", "id": record_id, **an_attempt("prac-twice", "M1", 0.9)},
        {"kind": "attempt", "id": record_id, **an_attempt("prac-twice", "M1", 0.4)},
    ]
    for dry_run in (True, False):
        response = await post_import(
            learning.client, learning.headers(), ndjson(lines), dry_run=dry_run
        )
        report = await finished_report(learning.client, learning.headers(), response.json()["id"])
        errors = await invalid_lines(learning.client, learning.headers(), report["id"])
        assert [(e["line"], e["problem"]["status"]) for e in errors] == [(3, 409)], dry_run


async def test_the_invalid_lines_are_listed_page_by_page(learning: LearningApi) -> None:
    lines = [{"kind": "attempt", **an_attempt("prac-pages")} for _ in range(3)]
    response = await post_import(learning.client, learning.headers(), ndjson(lines), dry_run=True)
    import_id = response.json()["id"]

    first = await learning.get(f"/imports/{import_id}/errors", limit=2)
    second = await learning.get(
        f"/imports/{import_id}/errors", limit=2, cursor=first.json()["next_cursor"]
    )

    assert [e["line"] for e in first.json()["items"]] == [1, 2]
    assert [e["line"] for e in second.json()["items"]] == [3]
    assert second.json()["next_cursor"] is None


async def test_imports_are_for_admins_of_the_agency_only(learning: LearningApi) -> None:
    body = ndjson([{"kind": "enrollment", "id": _id(), **an_enrollment("prac-role")}])
    coach = await post_import(learning.client, learning.headers("coach", "coach-1"), body)
    assert coach.status_code == 403
    done = await post_import(learning.client, learning.headers(), body, dry_run=True)
    other = await learning.get(f"/imports/{done.json()['id']}", agency="someone-else")
    assert other.status_code == 404
    listed = await learning.get("/imports")
    assert [r["id"] for r in listed.json()["items"]] == [done.json()["id"]]
    assert (await learning.get("/imports", agency="someone-else")).json()["items"] == []


async def test_refuses_a_body_that_is_not_ndjson_or_holds_no_line(learning: LearningApi) -> None:
    as_json = await learning.client.post(
        "/imports", json={"kind": "attempt"}, headers=learning.headers()
    )
    empty = await post_import(learning.client, learning.headers(), b"\n\n")

    assert as_json.status_code == 415
    assert "application/x-ndjson" in as_json.json()["detail"]
    assert empty.status_code == 422
    assert "no line" in empty.json()["detail"]


async def test_refuses_too_many_lines_and_too_large_a_body_with_413(
    settings_for: Any, agency_id: str
) -> None:
    settings: LearningSettings = settings_for(
        LearningSettings,
        lapse_check_interval_seconds=0,
        import_max_lines=2,
        import_max_bytes=2000,
    )
    headers = bearer(settings, agency_id, "admin")
    lines = [{"kind": "enrollment", "id": _id(), **an_enrollment(f"p-{n}")} for n in range(3)]
    async with running(create_service_app(settings)) as client:
        too_many = await post_import(client, headers, ndjson(lines))
        too_large = await post_import(client, headers, b'{"kind": "x"}\n' * 200)

    assert too_many.status_code == 413
    assert "at most 2" in too_many.json()["detail"]
    assert too_large.status_code == 413
    assert "limit is 2000 bytes" in too_large.json()["detail"]


async def test_a_file_saved_with_a_byte_order_mark_is_read_from_its_first_line(
    learning: LearningApi,
) -> None:
    await learning.roster.ensure("prac-bom")
    line = {"kind": "enrollment", "id": _id(), **an_enrollment("prac-bom")}
    body = codecs.BOM_UTF8 + ndjson([line]).replace(b"\n", b"\r\n")

    response = await post_import(learning.client, learning.headers(), body, dry_run=True)

    assert (response.json()["stored"], response.json()["invalid"]) == (1, 0)


async def test_a_dry_run_judges_each_line_as_the_real_run_stores_it_across_batches(
    settings_for: Any, agency_id: str, roster: RosterAnnouncer
) -> None:
    settings: LearningSettings = settings_for(
        LearningSettings, lapse_check_interval_seconds=0, import_batch_lines=2
    )
    headers = bearer(settings, agency_id, "admin")
    repeated = {"kind": "attempt", "id": _id(), **an_attempt("prac-batches", "M1", 0.9)}
    lines = [
        {"kind": "enrollment", "id": _id(), **an_enrollment("prac-batches")},
        repeated,
        {"kind": "attempt", "id": _id(), **an_attempt("prac-batches", "M2", 0.5)},
        repeated,  # the same record again, in a later batch: already present
        {**repeated, "scaled_score": 0.3},  # its id with other content: a conflict
    ]
    async with running(app := create_service_app(settings)) as client:
        roster.copies.append(runtime_of(app).pool)
        await roster.ensure("prac-batches")
        checked = await post_import(client, headers, ndjson(lines), dry_run=True)
        stored = await post_import(client, headers, ndjson(lines))
        report = await finished_report(client, headers, stored.json()["id"])
        outcomes = [
            (r["stored"], r["already_present"], r["invalid"]) for r in (checked.json(), report)
        ]
        conflicts = [
            [e["line"] for e in await invalid_lines(client, headers, r["id"])]
            for r in (checked.json(), report)
        ]

    assert outcomes == [(3, 1, 1), (3, 1, 1)]
    assert conflicts == [[5], [5]]


async def test_a_line_for_a_practitioner_not_on_the_roster_is_invalid_and_names_the_id(
    learning: LearningApi,
) -> None:
    lines = [{"kind": "enrollment", "id": _id(), **an_enrollment("prac-nobody")}]

    response = await post_import(learning.client, learning.headers(), ndjson(lines), dry_run=True)

    [error] = await invalid_lines(learning.client, learning.headers(), response.json()["id"])
    assert error["problem"]["type"].endswith("/not-on-roster")
    assert "prac-nobody" in error["problem"]["detail"]
