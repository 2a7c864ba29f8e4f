"""GET /statements parameters (Communication §2.1.3, §3.2): parsing and rejection."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from uuid import UUID

import pytest

from services.learning.xapi import (
    AgentIdentity,
    QueryInvalid,
    StatementFormat,
    StatementQuery,
    parse_statement_query,
)

from .builders import LMS, REGISTRATION, STATEMENT_ID, learner

ACCOUNT_AGENT = json.dumps(learner())


def rejected(params: dict[str, str] | list[tuple[str, str]]) -> QueryInvalid:
    with pytest.raises(QueryInvalid) as caught:
        parse_statement_query(params)
    return caught.value


def test_applies_the_spec_defaults_when_no_parameter_is_given() -> None:
    query = parse_statement_query({})
    assert query == StatementQuery()
    assert (query.limit, query.format, query.ascending) == (0, StatementFormat.EXACT, False)
    assert not query.is_single


def test_parses_every_filter() -> None:
    query = parse_statement_query(
        {
            "agent": ACCOUNT_AGENT,
            "verb": "http://adlnet.gov/expapi/verbs/completed",
            "activity": f"{LMS}/courses/wraparound-101",
            "registration": REGISTRATION,
            "related_activities": "true",
            "related_agents": "true",
            "since": "2024-05-01T00:00:00Z",
            "until": "2024-05-02T00:00:00+02:00",
            "limit": "25",
            "format": "ids",
            "attachments": "true",
            "ascending": "true",
        }
    )
    assert query.agent == AgentIdentity("account", "learner-1625378", LMS)
    assert query.verb == "http://adlnet.gov/expapi/verbs/completed"
    assert query.activity == f"{LMS}/courses/wraparound-101"
    assert query.registration == UUID(REGISTRATION)
    assert query.related_activities and query.related_agents
    assert query.since == datetime(2024, 5, 1, tzinfo=UTC)
    assert query.until == datetime(2024, 5, 1, 22, tzinfo=UTC)
    assert (query.limit, query.format) == (25, StatementFormat.IDS)
    assert query.attachments and query.ascending


def test_matches_an_mbox_agent_parameter_regardless_of_domain_case() -> None:
    query = parse_statement_query({"agent": '{"mbox": "mailto:Ana@Example.ORG"}'})
    assert query.agent == AgentIdentity("mbox", "mailto:Ana@example.org")


def test_fetches_one_statement_with_format_and_attachments() -> None:
    query = parse_statement_query(
        {"statementId": STATEMENT_ID, "format": "canonical", "attachments": "false"}
    )
    assert query.is_single and query.statement_id == UUID(STATEMENT_ID)


def test_rejects_statement_id_and_voided_statement_id_together() -> None:
    failure = rejected({"statementId": STATEMENT_ID, "voidedStatementId": STATEMENT_ID})
    assert "cannot be used together" in failure.detail


@pytest.mark.parametrize("single", ["statementId", "voidedStatementId"])
@pytest.mark.parametrize(("other", "value"), [("verb", "http://x.example/v"), ("limit", "1")])
def test_rejects_a_single_statement_id_combined_with_a_filter(
    single: str, other: str, value: str
) -> None:
    failure = rejected({single: STATEMENT_ID, other: value})
    assert failure.parameter == single
    assert other in failure.detail


@pytest.mark.parametrize("name", ["statementid", "Verb", "relatedAgents", "page", "method"])
def test_rejects_a_parameter_the_spec_does_not_define(name: str) -> None:
    assert rejected({name: "x"}).parameter == name


def test_names_the_intended_parameter_when_only_the_case_differs() -> None:
    assert "'statementId'" in rejected({"statementid": STATEMENT_ID}).detail


def test_rejects_a_parameter_given_twice() -> None:
    failure = rejected([("verb", "http://x.example/a"), ("verb", "http://x.example/b")])
    assert failure.parameter == "verb"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("statementId", "42"),
        ("voidedStatementId", ""),
        ("registration", "attempt-1"),
        ("verb", "completed"),
        ("activity", "courses/101"),
        ("since", "yesterday"),
        ("until", "2024-05-02"),
        ("limit", "-1"),
        ("limit", "ten"),
        ("limit", "1.5"),
        ("format", "IDS"),
        ("format", "full"),
        ("ascending", "True"),
        ("attachments", "1"),
        ("related_agents", "yes"),
        ("related_activities", ""),
    ],
)
def test_rejects_a_malformed_value(name: str, value: str) -> None:
    assert rejected({name: value}).parameter == name


@pytest.mark.parametrize(
    "agent",
    [
        "mailto:ana@example.org",
        '{"mbox": "ana@example.org"}',
        '{"name": "Ana"}',
        '{"mbox": "mailto:a@example.org", "openid": "http://a.example/"}',
        '{"objectType": "Group", "member": [{"mbox": "mailto:a@example.org"}]}',
        '{"mbox": "mailto:a@example.org", "mbox": "mailto:b@example.org"}',
    ],
    ids=["not-json", "bad-mbox", "no-ifi", "two-ifis", "anonymous-group", "duplicate-key"],
)
def test_rejects_an_agent_that_is_not_an_agent_or_identified_group(agent: str) -> None:
    assert rejected({"agent": agent}).parameter == "agent"
