"""The parameters of GET /statements, parsed and validated (Communication §2.1.3).

`parse_statement_query` turns the raw query (or form) parameters into a
`StatementQuery` or raises `QueryInvalid`. Rules enforced:

- only the parameters of §2.1.3, with their exact case, each at most once
  (§3.2.s3.b7-b8);
- `statementId` and `voidedStatementId` exclude each other, and either excludes
  every other parameter except `attachments` and `format` (§2.1.3.s2.b1-b2);
- values are validated like the same types in Statements (Data §2.2.s4.b4):
  UUIDs, IRIs, an Agent or identified Group as JSON, ISO 8601 timestamps, a
  nonnegative integer `limit`, the `format` enumeration, and booleans written
  exactly `true` or `false`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from .agents import AgentIdentity, validate_identified
from .decoding import decode_json
from .errors import QueryInvalid, StatementInvalid
from .formats import is_iri, is_timestamp, is_uuid, parse_timestamp
from .formatting import StatementFormat

PARAMETERS = (
    "statementId",
    "voidedStatementId",
    "agent",
    "verb",
    "activity",
    "registration",
    "related_activities",
    "related_agents",
    "since",
    "until",
    "limit",
    "format",
    "attachments",
    "ascending",
)
_SINGLE_STATEMENT = ("statementId", "voidedStatementId")
_ALLOWED_WITH_SINGLE = frozenset({"attachments", "format"})
_NONNEGATIVE_INTEGER = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class StatementQuery:
    """A validated GET /statements request; defaults are the spec's."""

    statement_id: UUID | None = None
    voided_statement_id: UUID | None = None
    agent: AgentIdentity | None = None
    verb: str | None = None
    activity: str | None = None
    registration: UUID | None = None
    related_activities: bool = False
    related_agents: bool = False
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 0
    format: StatementFormat = StatementFormat.EXACT
    attachments: bool = False
    ascending: bool = False

    @property
    def is_single(self) -> bool:
        """Whether one Statement is fetched (by statementId or voidedStatementId)."""
        return self.statement_id is not None or self.voided_statement_id is not None


def parse_statement_query(
    params: Mapping[str, str] | Iterable[tuple[str, str]],
) -> StatementQuery:
    """Parse query parameters; pass `(name, value)` pairs to catch repeated names."""
    values: dict[str, str] = {}
    for name, value in params.items() if isinstance(params, Mapping) else params:
        if name not in PARAMETERS:
            raise QueryInvalid(_unknown_parameter(name), name)
        if name in values:
            raise QueryInvalid("given more than once", name)
        values[name] = value
    single = [name for name in _SINGLE_STATEMENT if name in values]
    if len(single) == 2:
        raise QueryInvalid("statementId and voidedStatementId cannot be used together")
    if single and (others := sorted(values.keys() - set(single) - _ALLOWED_WITH_SINGLE)):
        raise QueryInvalid(
            f"{single[0]} can only be combined with attachments and format, not "
            + ", ".join(others),
            single[0],
        )
    return StatementQuery(
        statement_id=_uuid(values, "statementId"),
        voided_statement_id=_uuid(values, "voidedStatementId"),
        agent=_agent(values),
        verb=_iri(values, "verb"),
        activity=_iri(values, "activity"),
        registration=_uuid(values, "registration"),
        related_activities=_boolean(values, "related_activities"),
        related_agents=_boolean(values, "related_agents"),
        since=_timestamp(values, "since"),
        until=_timestamp(values, "until"),
        limit=_limit(values),
        format=_format(values),
        attachments=_boolean(values, "attachments"),
        ascending=_boolean(values, "ascending"),
    )


def _unknown_parameter(name: str) -> str:
    same_but_case = [known for known in PARAMETERS if known.lower() == name.lower()]
    if same_but_case:
        return f"parameter names are case sensitive; the parameter is {same_but_case[0]!r}"
    return "not a parameter of GET /statements"


def _uuid(values: Mapping[str, str], name: str) -> UUID | None:
    if name not in values:
        return None
    if not is_uuid(values[name]):
        raise QueryInvalid(f"{values[name]!r} is not a UUID in standard string form", name)
    return UUID(values[name])


def _iri(values: Mapping[str, str], name: str) -> str | None:
    if name not in values:
        return None
    if not is_iri(values[name]):
        raise QueryInvalid(f"{values[name]!r} is not an absolute IRI", name)
    return values[name]


def _agent(values: Mapping[str, str]) -> AgentIdentity | None:
    if "agent" not in values:
        return None
    try:
        return validate_identified(decode_json(values["agent"]), "agent")
    except StatementInvalid as error:
        raise QueryInvalid(str(error), "agent") from error


def _boolean(values: Mapping[str, str], name: str) -> bool:
    value = values.get(name, "false")
    if value not in ("true", "false"):
        raise QueryInvalid(f"{value!r} is not a boolean (true or false)", name)
    return value == "true"


def _timestamp(values: Mapping[str, str], name: str) -> datetime | None:
    if name not in values:
        return None
    if not is_timestamp(values[name]):
        raise QueryInvalid(f"{values[name]!r} is not an ISO 8601 timestamp", name)
    return parse_timestamp(values[name])


def _limit(values: Mapping[str, str]) -> int:
    value = values.get("limit", "0")
    if _NONNEGATIVE_INTEGER.fullmatch(value) is None:
        raise QueryInvalid(f"{value!r} is not a nonnegative integer", "limit")
    return int(value)


def _format(values: Mapping[str, str]) -> StatementFormat:
    value = values.get("format", StatementFormat.EXACT.value)
    try:
        return StatementFormat(value)
    except ValueError:
        raise QueryInvalid(f"{value!r} is not one of ids, exact, canonical", "format") from None
