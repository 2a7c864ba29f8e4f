"""GET /xapi/statements: every filter, as SQL, gives what the reference selection gives.

A data set shaped like real LMS traffic (accounts, Groups, instructors, SubStatements,
StatementRefs, a chain of them, voiding, contextActivities, registrations) is stored
once in several batches; each query's answer is compared with
`selection.select_statements` over the very same stored Statements.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.learning.xapi import VOIDED_VERB, parse_statement_query, select_statements
from services.learning.xapi.formats import parse_timestamp
from tests.learning.xapi.integration.lrs_client import Lms
from tests.learning.xapi.unit.builders import (
    COURSE,
    LMS,
    MODULE,
    REGISTRATION,
    activity,
    learner,
    mailbox,
    statement,
    verb,
)

ANA = learner("ana")
BO = learner("bo")
COACH = mailbox("coach@agency.example.org")
CRISIS = f"{LMS}/courses/wraparound-101/modules/crisis-plans"
OTHER_REGISTRATION = "0f6a1c6e-1d2b-4f5e-9a8b-7c6d5e4f3a2b"
PASSED = "http://adlnet.gov/expapi/verbs/passed"
COMMENTED = "http://adlnet.gov/expapi/verbs/commented"


def sid(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


def ref(n: int) -> dict[str, str]:
    return {"objectType": "StatementRef", "id": sid(n)}


def data_set() -> list[list[dict[str, Any]]]:
    """Batches of Statements; each batch gets its own `stored` time."""
    team = {"objectType": "Group", "name": "North team", "member": [BO, COACH]}
    return [
        [
            statement(id=sid(1), actor=ANA),
            statement(id=sid(2), actor=BO, verb=verb(PASSED), object=activity(CRISIS)),
        ],
        [
            statement(
                id=sid(3), actor=BO, object=ANA, context={"registration": OTHER_REGISTRATION}
            ),
            statement(
                id=sid(4),
                actor={"objectType": "Group", "name": "Pair", "member": [ANA, BO]},
                object=activity(CRISIS),
                context={"instructor": COACH, "team": team},
            ),
        ],
        [
            statement(
                id=sid(5),
                actor=COACH,
                verb=verb(PASSED),
                object={
                    "objectType": "SubStatement",
                    "actor": ANA,
                    "verb": verb(PASSED),
                    "object": activity(MODULE),
                    "context": {"contextActivities": {"parent": [{"id": COURSE}]}},
                },
                context={"registration": REGISTRATION},
            ),
            statement(id=sid(6), actor=COACH, verb=verb(COMMENTED), object=ref(2), context={}),
        ],
        [
            statement(id=sid(7), actor=COACH, verb=verb(COMMENTED), object=ref(6), context={}),
            statement(id=sid(8), actor=BO, verb=verb(PASSED), object=activity(MODULE)),
        ],
        [
            statement(id=sid(9), actor=COACH, verb=verb(VOIDED_VERB), object=ref(8), context={}),
            statement(id=sid(10), actor=ANA, object=activity(CRISIS), context={}),
        ],
    ]


@pytest.fixture(scope="module")
async def stored_set(module_lms: Lms) -> list[dict[str, Any]]:
    """The data set as the LRS stored it (voided Statements included)."""
    for batch in data_set():
        await module_lms.stored(batch)
    everything = await module_lms.get_statements(limit=0)
    statements: list[dict[str, Any]] = everything.json()["statements"]
    voided = await module_lms.get_statements(voidedStatementId=sid(8))
    assert voided.status_code == 200, voided.text
    return [*statements, voided.json()]


def agent(value: dict[str, Any]) -> str:
    return json.dumps(value)


QUERIES: dict[str, dict[str, str]] = {
    "everything": {},
    "agent-as-actor-or-object-or-group-member": {"agent": agent(ANA)},
    "agent-in-group-actor": {"agent": agent(BO)},
    "related-agents-instructor-team-substatement-authority": {
        "agent": agent(COACH),
        "related_agents": "true",
    },
    "agent-through-statement-refs": {"agent": agent(BO), "verb": COMMENTED},
    "verb": {"verb": PASSED},
    "verb-through-a-chain-of-refs": {"verb": PASSED, "ascending": "true"},
    "activity-as-object": {"activity": CRISIS},
    "related-activities-context-and-substatement": {
        "activity": COURSE,
        "related_activities": "true",
    },
    "activity-in-substatement": {"activity": MODULE, "related_activities": "true"},
    "registration": {"registration": REGISTRATION},
    "other-registration": {"registration": OTHER_REGISTRATION},
    "limit": {"limit": "3"},
    "limit-ascending": {"limit": "4", "ascending": "true"},
    "combined": {
        "agent": agent(ANA),
        "activity": CRISIS,
        "verb": "http://adlnet.gov/expapi/verbs/completed",
    },
}


def ids(statements: list[dict[str, Any]]) -> list[int]:
    return [int(s["id"].rsplit("-", 1)[-1]) for s in statements]


@pytest.mark.parametrize("params", QUERIES.values(), ids=QUERIES.keys())
async def test_a_filtered_query_answers_what_the_reference_selects(
    module_lms: Lms, stored_set: list[dict[str, Any]], params: dict[str, str]
) -> None:
    response = await module_lms.get_statements(**params)

    assert response.status_code == 200, response.text
    expected = select_statements(stored_set, parse_statement_query(params), server_limit=100)
    assert ids(response.json()["statements"]) == ids(expected)


async def test_since_is_exclusive_and_until_inclusive_on_stored(
    module_lms: Lms, stored_set: list[dict[str, Any]]
) -> None:
    stored_times = sorted({s["stored"] for s in stored_set})
    since, until = stored_times[1], stored_times[3]
    params = {"since": since, "until": until, "ascending": "true"}

    response = await module_lms.get_statements(**params)

    expected = select_statements(stored_set, parse_statement_query(params), server_limit=100)
    assert ids(response.json()["statements"]) == ids(expected) != []
    assert all(since < s["stored"] <= until for s in response.json()["statements"])


async def test_a_voided_statement_is_hidden_but_fetchable_by_voided_statement_id(
    module_lms: Lms, stored_set: list[dict[str, Any]]
) -> None:
    everything = ids((await module_lms.get_statements()).json()["statements"])
    assert 8 not in everything and 9 in everything  # the voiding Statement itself is listed
    assert (await module_lms.get_statements(statementId=sid(8))).status_code == 404
    voided = await module_lms.get_statements(voidedStatementId=sid(8))
    assert voided.status_code == 200 and voided.json()["id"] == sid(8)
    assert (await module_lms.get_statements(voidedStatementId=sid(1))).status_code == 404


async def test_the_voiding_statement_is_found_by_the_voided_statements_actor(
    module_lms: Lms, stored_set: list[dict[str, Any]]
) -> None:
    response = await module_lms.get_statements(agent=BO, verb=VOIDED_VERB)
    assert ids(response.json()["statements"]) == [9]


async def test_format_ids_keeps_only_identifiers(
    module_lms: Lms, stored_set: list[dict[str, Any]]
) -> None:
    response = await module_lms.get_statements(statementId=sid(1), format="ids")
    body = response.json()
    assert body["actor"] == {"objectType": "Agent", "account": ANA["account"]}
    assert body["verb"] == {"id": "http://adlnet.gov/expapi/verbs/completed"}
    assert body["object"] == {"id": MODULE}


async def test_format_canonical_picks_one_language_by_accept_language(
    module_lms: Lms, stored_set: list[dict[str, Any]]
) -> None:
    response = await module_lms.request(
        "GET",
        "statements",
        params={"statementId": sid(1), "format": "canonical"},
        headers={"Accept-Language": "es, en;q=0.5"},
    )
    definition = response.json()["object"]["definition"]
    assert definition["name"] == {"es": "Reuniones de equipo"}
    assert definition["description"] == {"en-US": "Running a Wraparound team meeting."}


async def test_a_single_statement_has_last_modified_and_consistent_through(
    module_lms: Lms, stored_set: list[dict[str, Any]]
) -> None:
    response = await module_lms.get_statements(statementId=sid(1))
    assert response.headers["Last-Modified"].endswith("GMT")
    through = parse_timestamp(response.headers["X-Experience-API-Consistent-Through"])
    assert datetime.now(UTC) - through < timedelta(seconds=5)
    assert response.headers["ETag"].startswith('"')


async def test_head_answers_the_headers_of_get_without_a_body(
    module_lms: Lms, stored_set: list[dict[str, Any]]
) -> None:
    get = await module_lms.get_statements(statementId=sid(1))
    head = await module_lms.request("HEAD", "statements", params={"statementId": sid(1)})
    assert head.status_code == 200 and head.content == b""
    assert head.headers["ETag"] == get.headers["ETag"]
    assert head.headers["X-Experience-API-Version"] == "1.0.3"
    missing = await module_lms.request("HEAD", "statements", params={"statementId": sid(99)})
    assert missing.status_code == 404 and missing.content == b""


async def test_an_empty_result_is_still_a_statement_result(module_lms: Lms) -> None:
    response = await module_lms.get_statements(verb="http://example.org/never")
    assert response.json() == {"statements": [], "more": ""}


@pytest.mark.parametrize(
    ("params", "complaint"),
    [
        ({"statementId": sid(1), "voidedStatementId": sid(8)}, "cannot be used together"),
        ({"statementId": sid(1), "verb": PASSED}, "only be combined"),
        ({"Verb": PASSED}, "case sensitive"),
        ({"colour": "blue"}, "not a parameter"),
        ({"agent": '{"name": "no identifier"}'}, "agent"),
        ({"since": "yesterday"}, "ISO 8601"),
        ({"limit": "-1"}, "nonnegative"),
        ({"ascending": "yes"}, "boolean"),
        ({"format": "full"}, "ids, exact, canonical"),
        ({"statementId": "not-a-uuid"}, "UUID"),
    ],
)
async def test_bad_query_parameters_are_a_400_saying_which(
    module_lms: Lms, params: dict[str, str], complaint: str
) -> None:
    response = await module_lms.get_statements(**params)
    assert response.status_code == 400
    assert complaint in response.json()["detail"]
    assert response.headers["X-Experience-API-Version"] == "1.0.3"


async def test_a_repeated_parameter_is_refused(module_lms: Lms) -> None:
    response = await module_lms.request(
        "GET", "statements", params=[("verb", PASSED), ("verb", COMMENTED)]
    )
    assert response.status_code == 400
    assert "more than once" in response.json()["detail"]
