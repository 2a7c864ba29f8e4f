"""Statement validation: every MUST of xAPI 1.0.3 Part Two (Data) an LRS enforces.

`validate_statement` accepts the decoded JSON of one Statement and either returns or
raises `StatementInvalid(detail, path)`. It never changes the Statement; filling in
what the LRS assigns (id, stored, authority, ...) is `stored_form.complete_statement`.
"""

from __future__ import annotations

from .agents import validate_actor, validate_authority
from .attachments import validate_attachments
from .context import validate_context
from .errors import StatementInvalid
from .formats import is_timestamp, is_version
from .objects import object_type_of, validate_simple_object
from .results import validate_result
from .structure import (
    JsonObject,
    check_language_map,
    check_properties,
    child,
    item,
    require_format,
    require_iri,
    require_object,
    require_uuid,
)

VOIDED_VERB = "http://adlnet.gov/expapi/verbs/voided"
_REQUIRED = frozenset({"actor", "verb", "object"})
_STATEMENT_PROPERTIES = _REQUIRED | {
    "id",
    "result",
    "context",
    "timestamp",
    "stored",
    "authority",
    "version",
    "attachments",
}
_NOT_IN_SUBSTATEMENT = frozenset({"id", "stored", "version", "authority"})
_SUBSTATEMENT_PROPERTIES = (_STATEMENT_PROPERTIES - _NOT_IN_SUBSTATEMENT) | {"objectType"}
_VERB_PROPERTIES = frozenset({"id", "display"})


def validate_statement(raw: object, *, is_substatement: bool = False) -> None:
    """Raise `StatementInvalid` unless `raw` is a valid Statement (or SubStatement)."""
    _validate(raw, "", is_substatement=is_substatement)


def validate_statements(raw: object) -> list[JsonObject]:
    """A POST body: one Statement or an array of them; returns them as a list.

    The whole batch is rejected if any Statement is (Communication §3.2.s3.b9), or if
    two share an id (§2.1.2.s2.b6). Paths in a batch start with the index: `[2].actor`.
    """
    if not isinstance(raw, list):
        validate_statement(raw)
        return [require_object(raw, "", "a Statement")]
    statements: list[JsonObject] = []
    first_index_of_id: dict[str, int] = {}
    for index, candidate in enumerate(raw):
        path = item("", index)
        _validate(candidate, path, is_substatement=False)
        statement = require_object(candidate, path, "a Statement")
        statement_id = str(statement.get("id", "")).lower()
        if statement_id in first_index_of_id:
            raise StatementInvalid(
                f"this id is already used by [{first_index_of_id[statement_id]}] of the batch",
                child(path, "id"),
            )
        if statement_id:
            first_index_of_id[statement_id] = index
        statements.append(statement)
    return statements


def validate_verb(value: object, path: str) -> str:
    """A Verb: IRI `id` and optional `display` language map; returns the id."""
    verb = require_object(value, path, "a Verb")
    check_properties(verb, path, "a Verb", allowed=_VERB_PROPERTIES, required=frozenset({"id"}))
    verb_id = require_iri(verb["id"], child(path, "id"))
    if "display" in verb:
        check_language_map(verb["display"], child(path, "display"))
    return verb_id


def _validate(raw: object, path: str, *, is_substatement: bool) -> None:
    kind = "a SubStatement" if is_substatement else "a Statement"
    statement = require_object(raw, path, kind)
    if is_substatement:
        _check_substatement_shape(statement, path)
    check_properties(
        statement,
        path,
        kind,
        allowed=_SUBSTATEMENT_PROPERTIES if is_substatement else _STATEMENT_PROPERTIES,
        required=_REQUIRED,
    )
    if "id" in statement:
        require_uuid(statement["id"], child(path, "id"))
    validate_actor(statement["actor"], child(path, "actor"))
    verb_id = validate_verb(statement["verb"], child(path, "verb"))

    object_path = child(path, "object")
    statement_object = require_object(statement["object"], object_path, "an Object")
    object_type = object_type_of(statement_object)
    if verb_id == VOIDED_VERB and object_type != "StatementRef":
        raise StatementInvalid(
            "a voiding Statement's Object must be a StatementRef", child(object_path, "objectType")
        )
    if object_type == "SubStatement":
        if is_substatement:
            raise StatementInvalid(
                "a SubStatement cannot contain a SubStatement", child(object_path, "objectType")
            )
        _validate(statement_object, object_path, is_substatement=True)
    else:
        validate_simple_object(statement_object, object_path)

    if "result" in statement:
        validate_result(statement["result"], child(path, "result"))
    if "context" in statement:
        validate_context(
            statement["context"],
            child(path, "context"),
            object_is_activity=object_type == "Activity",
        )
    for moment in ("timestamp", "stored"):
        if moment in statement:
            require_format(
                statement[moment], child(path, moment), is_timestamp, "an ISO 8601 timestamp"
            )
    if "authority" in statement:
        validate_authority(statement["authority"], child(path, "authority"))
    if "version" in statement:
        require_format(statement["version"], child(path, "version"), is_version, "a 1.0.x version")
    if "attachments" in statement:
        validate_attachments(statement["attachments"], child(path, "attachments"))


def _check_substatement_shape(statement: JsonObject, path: str) -> None:
    for key in sorted(_NOT_IN_SUBSTATEMENT & statement.keys()):
        raise StatementInvalid(f"a SubStatement must not have {key!r}", child(path, key))
    if statement.get("objectType") != "SubStatement":
        raise StatementInvalid(
            "a SubStatement requires objectType 'SubStatement'", child(path, "objectType")
        )
