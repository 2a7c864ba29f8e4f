"""GET /statements over an in-memory list: the reference semantics for the storage layer.

The rules, in the order they apply (Communication §2.1.3-§2.1.4):

1. A Statement is *voided* iff it is not itself a voiding Statement and some
   voiding Statement targets it (Data §2.3.2.s2.b3). Voided Statements are only
   ever returned through `voidedStatementId`.
2. Each non-time filter (`agent`, `verb`, `activity`, `registration`) is met by a
   Statement directly, or through the Statement its StatementRef Object targets,
   recursively (§2.1.3.s3). Each filter is judged separately, and a voided target
   still counts, so a voiding Statement is found by the voided Statement's actor.
3. `since` (exclusive) and `until` (inclusive) apply to the returned Statement's own
   `stored`, never to a target.
4. Results are ordered by `stored` (newest first unless `ascending`), ties by id,
   then cut to `limit` (0 means the server's maximum).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from uuid import UUID

from .formats import parse_timestamp
from .matching import (
    mentions_activity,
    mentions_agent,
    registration,
    statement_ref_target,
    verb_id,
    voided_target,
)
from .query import StatementQuery
from .structure import JsonObject

_Condition = Callable[[JsonObject], bool]


def statement_id(statement: JsonObject) -> UUID:
    """The id of a stored Statement."""
    return UUID(str(statement["id"]))


def voided_statement_ids(statements: Iterable[JsonObject]) -> frozenset[UUID]:
    """Ids of the voided Statements among `statements` (rule 1)."""
    targets: set[UUID] = set()
    voiding: set[UUID] = set()
    for statement in statements:
        target = voided_target(statement)
        if target is not None:
            targets.add(target)
            voiding.add(statement_id(statement))
    return frozenset(targets - voiding)


def find_statement(statements: Sequence[JsonObject], query: StatementQuery) -> JsonObject | None:
    """The Statement a statementId / voidedStatementId request returns, or None (404).

    `statementId` never returns a voided Statement; `voidedStatementId` only does.
    """
    wanted = query.statement_id or query.voided_statement_id
    if wanted is None:
        raise ValueError("find_statement needs statementId or voidedStatementId")
    must_be_voided = query.voided_statement_id is not None
    voided = voided_statement_ids(statements)
    for statement in statements:
        if statement_id(statement) == wanted and (wanted in voided) == must_be_voided:
            return statement
    return None


def select_statements(
    statements: Sequence[JsonObject], query: StatementQuery, *, server_limit: int
) -> list[JsonObject]:
    """The Statements a filtered GET /statements returns, in order (rules 1-4)."""
    if query.is_single:
        raise ValueError("use find_statement for statementId / voidedStatementId")
    by_id = {statement_id(s): s for s in statements}
    voided = voided_statement_ids(statements)
    conditions = filter_conditions(query)
    selected = [
        statement
        for statement in statements
        if statement_id(statement) not in voided
        and _in_time_window(statement, query.since, query.until)
        and all(meets_through_refs(statement, condition, by_id) for condition in conditions)
    ]
    selected.sort(
        key=lambda s: (parse_timestamp(str(s["stored"])), str(statement_id(s))),
        reverse=not query.ascending,
    )
    limit = server_limit if query.limit == 0 else min(query.limit, server_limit)
    return selected[:limit]


def filter_conditions(query: StatementQuery) -> list[_Condition]:
    """The non-time filters of `query`, each a test on one Statement (rule 2)."""
    conditions: list[_Condition] = []
    if (agent := query.agent) is not None:
        conditions.append(lambda s: mentions_agent(s, agent, query.related_agents))
    if (verb := query.verb) is not None:
        conditions.append(lambda s: verb_id(s) == verb)
    if (activity := query.activity) is not None:
        conditions.append(lambda s: mentions_activity(s, activity, query.related_activities))
    if (wanted := query.registration) is not None:
        conditions.append(lambda s: registration(s) == wanted)
    return conditions


def meets_through_refs(
    statement: JsonObject, condition: _Condition, by_id: Mapping[UUID, JsonObject]
) -> bool:
    """Whether the Statement, or a Statement it targets (recursively), meets `condition`."""
    current: JsonObject | None = statement
    seen: set[UUID] = set()
    while current is not None:
        if condition(current):
            return True
        target = statement_ref_target(current)
        if target is None or target in seen:
            return False
        seen.add(target)
        current = by_id.get(target)
    return False


def _in_time_window(statement: JsonObject, since: datetime | None, until: datetime | None) -> bool:
    stored = parse_timestamp(str(statement["stored"]))
    return (since is None or stored > since) and (until is None or stored <= until)
