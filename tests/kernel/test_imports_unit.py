"""Bulk import without servers: reading lines, naming problems, counting outcomes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared.auth import Principal
from shared.import_models import report_of
from shared.import_store import ImportRow
from shared.imports import (
    ImportKind,
    ParsedLine,
    import_kinds,
    parse_line,
    problem_for_error,
)
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


class Leaving(BaseModel):
    model_config = ConfigDict(extra="forbid")

    practitioner_id: str


class Assignment(BaseModel):
    id: str
    kind: str = "named"


class Tagged(BaseModel):
    id: str
    tag: str | None = Field(default=None, alias="kind")


def _read_back(text: str) -> ParsedLine:
    """A pending line as the worker reads it from the import's table: the line as sent."""
    return ParsedLine(3, "x", "r", {}, stored=text)


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


def test_a_stored_line_is_its_record_without_the_import_kind() -> None:
    record_id = str(uuid.uuid4())
    sent = f'{{"kind": "visit", "id": "{record_id}", "practitioner_id": "p"}}'

    visit = ImportKind("visit", Visit, _stored).body(_read_back(sent))

    assert visit == Visit(id=uuid.UUID(record_id), practitioner_id="p")
    assert visit.model_fields_set == {"id", "practitioner_id"}


def test_a_stored_line_of_a_model_refusing_unknown_keys_is_read_without_its_kind() -> None:
    leaving = ImportKind("leaving", Leaving, _stored, id_field="practitioner_id")

    assert leaving.body(_read_back('{"kind": "leaving", "practitioner_id": "p-2"}')) == Leaving(
        practitioner_id="p-2"
    )
    # a line an earlier release stored: its JSON object without the kind
    assert leaving.body(_read_back('{"practitioner_id": "p-3"}')) == Leaving(practitioner_id="p-3")
    try:
        leaving.body(_read_back('{"kind": "leaving", "practitioner_id": "p-2", "x": 1}'))
    except ValidationError as error:
        assert error.errors()[0]["loc"] == ("x",)
    else:
        raise AssertionError("an unknown key of a line was accepted")


def test_the_import_kind_never_fills_a_field_of_the_same_name() -> None:
    assignment = ImportKind("assignment", Assignment, _stored)
    tagged = ImportKind("tagged", Tagged, _stored)

    read = assignment.body(_read_back('{"kind": "assignment", "id": "a-1"}'))
    tag = tagged.body(_read_back('{"kind": "tagged", "id": "t-1"}'))

    assert (read.kind, read.model_fields_set) == ("named", {"id"})
    assert (tag.tag, tag.model_fields_set) == (None, {"id"})
