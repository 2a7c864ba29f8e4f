"""Bulk import without servers: reading lines, naming problems, counting outcomes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from pydantic import BaseModel, ValidationError

from shared.auth import Principal
from shared.import_models import report_of
from shared.import_store import ImportRow
from shared.imports import ImportKind, import_kinds, parse_line, problem_for_error
from shared.problems import Unprocessable
from shared.service import Runtime


class Visit(BaseModel):
    id: uuid.UUID
    practitioner_id: str


class Registration(BaseModel):
    practitioner_id: str


async def _stored(runtime: Runtime, principal: Principal, body: BaseModel) -> bool:
    return True


KINDS = import_kinds(
    ImportKind("visit", Visit, _stored),
    ImportKind("registration", Registration, _stored, id_field="practitioner_id"),
)


class NoSuchVisit(Exception):
    pass


def test_a_line_becomes_its_kind_id_and_fields_without_the_kind() -> None:
    record_id = str(uuid.uuid4())
    line = parse_line(7, f'{{"kind": "visit", "id": "{record_id}", "practitioner_id": "p"}}', KINDS)

    assert (line.number, line.kind, line.record_id, line.problem) == (7, "visit", record_id, None)
    assert line.fields == {"id": record_id, "practitioner_id": "p"}


def test_a_registration_is_identified_by_its_practitioner_id() -> None:
    line = parse_line(1, '{"kind": "registration", "practitioner_id": "p-9"}', KINDS)

    assert line.record_id == "p-9" and line.problem is None


def test_names_what_is_wrong_with_an_unusable_line() -> None:
    cases = {
        '{"kind": "visit", "id": ': "not valid JSON",
        '["visit"]': "one JSON object",
        '{"kind": "visit", "kind": "visit", "id": "x"}': "more than once",
        '{"kind": "call", "id": "x"}': "'kind' must be one of: registration, visit",
        '{"kind": "visit", "practitioner_id": "p"}': "needs its stable 'id'",
        '{"kind": "registration"}': "needs its stable 'practitioner_id'",
        '{"kind": "visit", "id": "a\\u0000b"}': "NUL",
    }
    for text, expected in cases.items():
        problem = parse_line(3, text, KINDS).problem
        assert problem is not None and expected in problem["detail"], text
        assert problem["status"] == 422


def test_a_line_problem_is_what_the_single_post_would_answer() -> None:
    mapped = problem_for_error(NoSuchVisit(), {NoSuchVisit: lambda e: Unprocessable("gone")})
    try:
        Visit.model_validate({"id": "not-a-uuid"})
    except ValidationError as error:
        invalid = problem_for_error(error, {})

    assert mapped is not None and (mapped["status"], mapped["detail"]) == (422, "gone")
    assert invalid is not None and invalid["status"] == 422
    assert {e["field"] for e in invalid["errors"]} == {"id", "practitioner_id"}
    assert problem_for_error(RuntimeError("boom"), {}) is None


def test_the_report_counts_each_kind_by_outcome_and_pending_lines() -> None:
    row = ImportRow(
        "a", uuid.uuid4(), False, "running", 6, None, datetime.now(UTC), finished_at=None
    )
    counts = {
        ("visit", "stored"): 2,
        ("visit", "present"): 1,
        ("visit", "invalid"): 1,
        ("registration", None): 2,
    }

    report = report_of(row, counts)

    assert (report.stored, report.already_present, report.invalid) == (2, 1, 1)
    assert (report.done, report.total) == (4, 6)
    kinds = {k.kind: k for k in report.kinds}
    assert kinds["registration"].pending == 2 and kinds["visit"].received == 4
