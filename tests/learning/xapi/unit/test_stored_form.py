"""What the LRS fills in before storing a Statement (Data §2.3.1.b1, §2.4.6.2.s4.b3)."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from services.learning.xapi import complete_statement, validate_statement

from . import spec_examples as spec
from .builders import COURSE, mailbox, set_at, statement

NOW = datetime(2024, 5, 2, 14, 5, 0, 123_456, tzinfo=UTC)
LMS_CREDENTIALS = mailbox("lms@example.org")


def test_assigns_an_id_only_when_none_was_sent() -> None:
    without_id = {k: v for k, v in statement().items() if k != "id"}
    assigned = UUID("6690e6c9-3ef0-4ed3-8b37-7f3964730bee")
    completed = complete_statement(
        without_id, stored=NOW, authority=LMS_CREDENTIALS, statement_id=assigned
    )
    kept = complete_statement(
        statement(), stored=NOW, authority=LMS_CREDENTIALS, statement_id=assigned
    )
    assert completed["id"] == str(assigned)
    assert kept["id"] == statement()["id"]


def test_overwrites_stored_and_authority() -> None:
    sent = statement(stored="2000-01-01T00:00:00Z", authority=mailbox("someone@example.org"))
    completed = complete_statement(sent, stored=NOW, authority=LMS_CREDENTIALS)
    assert completed["stored"] == "2024-05-02T14:05:00.123Z"
    assert completed["authority"] == LMS_CREDENTIALS


def test_sets_timestamp_and_version_only_when_absent() -> None:
    sent = {k: v for k, v in statement().items() if k != "timestamp"}
    completed = complete_statement(sent, stored=NOW, authority=LMS_CREDENTIALS)
    assert completed["timestamp"] == completed["stored"]
    assert completed["version"] == "1.0.0"
    kept = complete_statement(statement(version="1.0.3"), stored=NOW, authority=LMS_CREDENTIALS)
    assert (kept["timestamp"], kept["version"]) == (statement()["timestamp"], "1.0.3")


def test_stores_every_context_activities_value_as_an_array() -> None:
    sent = set_at(statement(), "context.contextActivities.parent", {"id": COURSE})
    inner = set_at(
        spec.PLANNED_SUBSTATEMENT["object"],
        "context",
        {"contextActivities": {"other": {"id": COURSE}}},
    )
    completed = complete_statement(sent, stored=NOW, authority=LMS_CREDENTIALS)
    completed_inner = complete_statement(
        {**spec.PLANNED_SUBSTATEMENT, "object": inner}, stored=NOW, authority=LMS_CREDENTIALS
    )
    assert completed["context"]["contextActivities"]["parent"] == [{"id": COURSE}]
    assert completed_inner["object"]["context"]["contextActivities"]["other"] == [{"id": COURSE}]


def test_leaves_the_sent_statement_untouched_and_the_result_valid() -> None:
    sent = set_at(statement(), "context.contextActivities.parent", {"id": COURSE})
    completed = complete_statement(sent, stored=NOW, authority=LMS_CREDENTIALS)
    assert sent["context"]["contextActivities"]["parent"] == {"id": COURSE}
    assert "stored" not in sent
    validate_statement(completed)
