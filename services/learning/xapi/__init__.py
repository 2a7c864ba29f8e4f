"""The pure core of the learning service's xAPI 1.0.3 Learning Record Store.

No I/O lives here: Statement validation (`validate_statement`), what the LRS adds
before storing (`complete_statement`), GET /statements parameters
(`parse_statement_query`), filter semantics (`select_statements`, the references in
`matching`), output formats (`format_statement`) and cmi5 moveOn (`is_au_satisfied`).
"""

from __future__ import annotations

from .agents import AgentIdentity, agent_identity
from .cmi5 import MoveOn, is_au_satisfied
from .decoding import decode_json
from .errors import QueryInvalid, StatementInvalid
from .formatting import StatementFormat, format_statement, parse_accept_language, pick_language
from .matching import (
    ActivityReference,
    AgentReference,
    activity_references,
    activity_roles,
    agent_references,
    agent_roles,
)
from .query import StatementQuery, parse_statement_query
from .selection import find_statement, select_statements, voided_statement_ids
from .stored_form import complete_statement
from .validation import VOIDED_VERB, validate_statement, validate_statements

__all__ = [
    "VOIDED_VERB",
    "ActivityReference",
    "AgentIdentity",
    "AgentReference",
    "MoveOn",
    "QueryInvalid",
    "StatementFormat",
    "StatementInvalid",
    "StatementQuery",
    "activity_references",
    "activity_roles",
    "agent_identity",
    "agent_references",
    "agent_roles",
    "complete_statement",
    "decode_json",
    "find_statement",
    "format_statement",
    "is_au_satisfied",
    "parse_accept_language",
    "parse_statement_query",
    "pick_language",
    "select_statements",
    "validate_statement",
    "validate_statements",
    "voided_statement_ids",
]
