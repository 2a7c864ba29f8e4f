"""Which stored Statements GET /statements returns (Communication §2.1.3-§2.1.4):
agent/activity matching, StatementRef targeting, voiding, time window and order."""

from __future__ import annotations

import json
from typing import Any

import pytest

from services.learning.xapi import (
    VOIDED_VERB,
    StatementQuery,
    agent_identity,
    find_statement,
    parse_statement_query,
    select_statements,
    voided_statement_ids,
)

from .builders import LMS, MODULE, REGISTRATION, activity, learner, mailbox, statement, verb

ANA = learner("ana")
BO = learner("bo")
COACH = mailbox("coach@example.org")
OTHER_MODULE = f"{LMS}/courses/wraparound-101/modules/crisis-plans"


def stored(number: int, **overrides: Any) -> dict[str, Any]:
    """A stored Statement; `number` orders ids and stored times."""
    built = statement(
        id=f"00000000-0000-4000-8000-{number:012d}",
        stored=f"2024-05-02T10:00:{number:02d}.000Z",
        authority=mailbox("lms@example.org"),
        actor=ANA,
    )
    return {**built, **overrides}


def ref_to(number: int) -> dict[str, str]:
    return {"objectType": "StatementRef", "id": f"00000000-0000-4000-8000-{number:012d}"}


def ids(statements: list[dict[str, Any]]) -> list[int]:
    return [int(s["id"].rsplit("-", 1)[-1]) for s in statements]


def select(statements: list[dict[str, Any]], server_limit: int = 100, **params: str) -> list[int]:
    query = parse_statement_query(params)
    return ids(select_statements(statements, query, server_limit=server_limit))


def agent_param(agent: dict[str, Any]) -> str:
    return json.dumps(agent)


def test_finds_statements_by_actor_and_by_agent_object() -> None:
    statements = [stored(1), stored(2, actor=BO, object=ANA, context={}), stored(3, actor=BO)]
    assert select(statements, agent=agent_param(ANA)) == [2, 1]


def test_finds_statements_by_instructor_team_and_authority_only_with_related_agents() -> None:
    team = {"objectType": "Group", "member": [ANA, COACH]}
    statements = [
        stored(1, actor=BO, context={"instructor": COACH}),
        stored(2, actor=BO, context={"team": team}),
        stored(3, actor=BO, authority=COACH),
    ]
    assert select(statements, agent=agent_param(COACH)) == []
    assert select(statements, agent=agent_param(COACH), related_agents="true") == [3, 2, 1]


def test_finds_a_group_statement_by_one_of_its_members() -> None:
    group = {"objectType": "Group", "mbox": "mailto:team@example.org", "member": [ANA, BO]}
    statements = [stored(1, actor=group), stored(2, actor=COACH)]
    assert select(statements, agent=agent_param(BO)) == [1]


def test_finds_an_identified_group_by_its_own_ifi_not_by_its_members() -> None:
    group = {"objectType": "Group", "mbox": "mailto:team@example.org", "member": [ANA]}
    statements = [stored(1, actor=group), stored(2)]
    wanted = {"objectType": "Group", "mbox": "mailto:team@example.org", "member": [BO]}
    assert select(statements, agent=agent_param(wanted)) == [1]


def test_finds_agents_inside_a_substatement_only_with_related_agents() -> None:
    inner = {"objectType": "SubStatement", "actor": BO, "verb": verb(), "object": activity()}
    statements = [stored(1, actor=COACH, object=inner, context={})]
    assert select(statements, agent=agent_param(BO)) == []
    assert select(statements, agent=agent_param(BO), related_agents="true") == [1]


def test_finds_statements_by_object_activity_and_context_activities_only_when_related() -> None:
    in_context = stored(2, object=activity(OTHER_MODULE))
    in_context["context"]["contextActivities"]["other"] = [{"id": MODULE}]
    statements = [stored(1), in_context, stored(3, object=activity(OTHER_MODULE))]
    assert select(statements, activity=MODULE) == [1]
    assert select(statements, activity=MODULE, related_activities="true") == [2, 1]


def test_finds_statements_by_verb_and_by_registration() -> None:
    other_registration = "6690e6c9-3ef0-4ed3-8b37-7f3964730bee"
    passed = "http://adlnet.gov/expapi/verbs/passed"
    statements = [
        stored(1),
        stored(2, verb=verb(passed)),
        stored(3, context={"registration": other_registration}),
    ]
    assert select(statements, verb=passed) == [2]
    assert select(statements, registration=REGISTRATION.upper()) == [2, 1]


def test_matches_a_statement_through_the_statement_it_targets() -> None:
    # "Andrew confirmed <Ben passed explosives training>" matches Ben and the training.
    confirmation = stored(2, actor=COACH, verb=verb("http://x.example/confirmed"), object=ref_to(1))
    statements = [stored(1), confirmation, stored(3, actor=COACH, object=activity(OTHER_MODULE))]
    assert select(statements, agent=agent_param(ANA)) == [2, 1]
    assert select(statements, activity=MODULE) == [2, 1]


def test_follows_statement_refs_recursively() -> None:
    chain = [
        stored(1),
        stored(2, actor=COACH, object=ref_to(1)),
        stored(3, actor=BO, object=ref_to(2)),
    ]
    assert select(chain, agent=agent_param(ANA)) == [3, 2, 1]


def test_judges_each_filter_on_its_own_through_the_target() -> None:
    confirmation = stored(2, actor=COACH, object=ref_to(1), context={})
    statements = [stored(1), confirmation]
    assert select(statements, agent=agent_param(COACH), activity=MODULE) == [2]


def test_survives_statements_that_target_each_other() -> None:
    statements = [stored(1, object=ref_to(2), context={}), stored(2, object=ref_to(1), context={})]
    assert select(statements, agent=agent_param(BO)) == []


def test_hides_voided_statements_but_returns_the_statement_voiding_them() -> None:
    voiding = stored(2, actor=COACH, verb=verb(VOIDED_VERB), object=ref_to(1), context={})
    statements = [stored(1), voiding, stored(3)]
    assert select(statements) == [3, 2]
    assert select(statements, agent=agent_param(ANA)) == [3, 2]


def test_never_voids_a_voiding_statement() -> None:
    first_voiding = stored(2, verb=verb(VOIDED_VERB), object=ref_to(1), context={})
    second_voiding = stored(3, verb=verb(VOIDED_VERB), object=ref_to(2), context={})
    statements = [stored(1), first_voiding, second_voiding]
    voided = voided_statement_ids(statements)
    assert [int(str(v).rsplit("-", 1)[-1]) for v in voided] == [1]


def test_applies_since_exclusive_and_until_inclusive_to_stored() -> None:
    statements = [stored(n) for n in range(1, 6)]
    window = {"since": "2024-05-02T10:00:02Z", "until": "2024-05-02T10:00:04Z"}
    assert select(statements, **window) == [4, 3]


def test_applies_the_time_window_to_the_targeting_statement_not_its_target() -> None:
    statements = [stored(1), stored(5, actor=COACH, object=ref_to(1), context={})]
    params = {"agent": agent_param(ANA), "since": "2024-05-02T10:00:03Z"}
    assert select(statements, **params) == [5]


def test_orders_newest_first_unless_ascending() -> None:
    statements = [stored(2), stored(3), stored(1)]
    assert select(statements) == [3, 2, 1]
    assert select(statements, ascending="true") == [1, 2, 3]


def test_orders_by_stored_instant_across_time_zones() -> None:
    statements = [
        stored(1, stored="2024-05-02T12:00:00+02:00"),
        stored(2, stored="2024-05-02T10:30:00Z"),
    ]
    assert select(statements) == [2, 1]


@pytest.mark.parametrize(("limit", "expected"), [("2", [5, 4]), ("0", [5, 4, 3]), ("9", [5, 4, 3])])
def test_limits_results_and_treats_zero_as_the_server_maximum(
    limit: str, expected: list[int]
) -> None:
    statements = [stored(n) for n in range(1, 6)]
    assert select(statements, server_limit=3, limit=limit) == expected


def test_fetches_a_statement_by_id_unless_it_is_voided() -> None:
    voiding = stored(2, verb=verb(VOIDED_VERB), object=ref_to(1), context={})
    statements = [stored(1), voiding]
    by_id = parse_statement_query({"statementId": statements[0]["id"]})
    by_voided_id = parse_statement_query({"voidedStatementId": statements[0]["id"]})
    assert find_statement(statements, by_id) is None
    assert find_statement(statements, by_voided_id) == statements[0]


def test_fetches_only_voided_statements_by_voided_statement_id() -> None:
    statements = [stored(1)]
    assert find_statement(statements, parse_statement_query({"statementId": statements[0]["id"]}))
    query = parse_statement_query({"voidedStatementId": statements[0]["id"]})
    assert find_statement(statements, query) is None


def test_refuses_to_mix_single_and_filtered_retrieval() -> None:
    statements = [stored(1)]
    single = parse_statement_query({"statementId": statements[0]["id"]})
    with pytest.raises(ValueError):
        select_statements(statements, single, server_limit=10)
    with pytest.raises(ValueError):
        find_statement(statements, StatementQuery())


def test_identifies_agents_by_normalised_ifi() -> None:
    assert agent_identity({"mbox": "mailto:Ana@EXAMPLE.org"}) == agent_identity(
        {"objectType": "Agent", "name": "Ana", "mbox": "mailto:Ana@example.org"}
    )
    assert agent_identity({"objectType": "Group", "member": [ANA]}) is None
