"""The Statement resource (Communication §2.1): PUT, POST, GET and the `more` pages.

PUT stores one Statement under `statementId` (204); POST stores one or a batch and
answers their ids (200); both take application/json or multipart/mixed with
Attachments. GET returns one Statement (statementId / voidedStatementId) or a
StatementResult whose `more` link continues the same query from where the page ended.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Any
from uuid import UUID

from starlette.responses import JSONResponse, Response

from shared.problems import NotFound

from ..adapters import activity_store, attachment_store
from ..adapters.statement_reads import StoredStatement, find_stored, select_page
from ..decoding import decode_json
from ..errors import QueryInvalid, RequestInvalid, StatementInvalid
from ..formats import is_uuid
from ..formatting import format_statement, parse_accept_language
from ..matching import activity_references
from ..multipart import AttachmentPart, build_multipart, media_type, parse_statement_multipart
from ..query import StatementQuery, parse_statement_query
from ..recording import store_statements
from ..structure import JsonObject
from ..validation import validate_statements
from .protocol import XapiRequest, check_parameters, http_date
from .serving import XapiCall

STATEMENTS_PATH = "/xapi/statements"


async def put_statement(call: XapiCall) -> Response:
    params = check_parameters(call.request, frozenset({"statementId"}), frozenset({"statementId"}))
    if not is_uuid(params["statementId"]):
        raise QueryInvalid("is not a UUID in standard string form", "statementId")
    raw, parts = _statements_body(call.request)
    if isinstance(raw, list):
        raise RequestInvalid("PUT stores one Statement; POST an array to store a batch")
    [statement] = validate_statements(raw)
    if "id" in statement and UUID(str(statement["id"])) != UUID(params["statementId"]):
        raise StatementInvalid("must equal the statementId parameter of the PUT", "id")
    statement = {"id": params["statementId"], **statement}
    await _store(call, [statement], parts)
    return Response(status_code=204)


async def post_statements(call: XapiCall) -> Response:
    check_parameters(call.request, frozenset())
    raw, parts = _statements_body(call.request)
    statements = validate_statements(raw)
    ids = await _store(call, statements, parts)
    return JSONResponse(ids)


async def get_statements(call: XapiCall) -> Response:
    query = parse_statement_query(call.request.params)
    if query.is_single:
        return await _single(call, query)
    return await _page(call, query, list(call.request.params), after=None)


async def get_more(call: XapiCall, token: str) -> Response:
    check_parameters(call.request, frozenset())
    params, after = _decode_more(token)
    return await _page(call, parse_statement_query(params), params, after=after)


async def _store(
    call: XapiCall, statements: list[JsonObject], parts: dict[str, AttachmentPart]
) -> list[str]:
    return await store_statements(
        call.lrs.pool, call.lrs.learning, call.authenticated.submitter, statements, parts
    )


def _statements_body(request: XapiRequest) -> tuple[object, dict[str, AttachmentPart]]:
    kind = media_type(request.content_type)
    if kind == "application/json":
        return decode_json(request.body), {}
    if kind == "multipart/mixed":
        statements, parts = parse_statement_multipart(request.body, request.content_type)
        return decode_json(statements), parts
    raise RequestInvalid(
        "send Statements as application/json, or as multipart/mixed when they have "
        f"Attachments (got Content-Type {request.content_type or 'none'!r})"
    )


async def _single(call: XapiCall, query: StatementQuery) -> Response:
    voided = query.voided_statement_id is not None
    wanted = query.voided_statement_id or query.statement_id
    assert wanted is not None
    async with call.lrs.pool.acquire() as conn:
        found = await find_stored(conn, call.agency_id, wanted, voided=voided)
    if found is None:
        which = "voided statement" if voided else "statement (that is not voided)"
        hint = "" if voided else "; a voided one is fetched with voidedStatementId"
        raise NotFound(f"no {which} with id {wanted} in your agency's LRS{hint}")
    [document] = await _formatted(call, query, [found])
    response = await _respond(call, query, document, [document])
    response.headers["Last-Modified"] = http_date(found.stored)
    return response


async def _page(
    call: XapiCall,
    query: StatementQuery,
    params: list[tuple[str, str]],
    after: tuple[datetime, UUID] | None,
) -> Response:
    limit = call.lrs.page_limit if query.limit == 0 else min(query.limit, call.lrs.page_limit)
    async with call.lrs.pool.acquire() as conn:
        rows = await select_page(conn, call.agency_id, query, after=after, limit=limit + 1)
    page = rows[:limit]
    more = ""
    if len(rows) > limit:
        last = page[-1]
        more = f"{call.request.root_path}{STATEMENTS_PATH}/more/{_encode_more(params, last)}"
    statements = await _formatted(call, query, page)
    return await _respond(call, query, {"statements": statements, "more": more}, statements)


async def _formatted(
    call: XapiCall, query: StatementQuery, rows: list[StoredStatement]
) -> list[dict[str, object]]:
    languages = parse_accept_language(call.request.header("accept-language"))
    definitions: dict[str, Any] = {}
    if query.format.value == "canonical":
        ids = sorted({ref.activity_id for r in rows for ref in activity_references(r.document)})
        async with call.lrs.pool.acquire() as conn:
            definitions = await activity_store.canonical_definitions(conn, call.agency_id, ids)
    return [
        format_statement(r.document, query.format, languages, activity_definitions=definitions)
        for r in rows
    ]


async def _respond(
    call: XapiCall, query: StatementQuery, body: object, statements: list[dict[str, object]]
) -> Response:
    content = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    if not query.attachments:
        return Response(content, media_type="application/json")
    hashes = [sha2 for s in statements for sha2 in _attachment_hashes(s)]
    async with call.lrs.pool.acquire() as conn:
        parts = await attachment_store.load_attachments(conn, call.agency_id, hashes)
    multipart, content_type = build_multipart(content, parts)
    return Response(multipart, headers={"Content-Type": content_type})


def _attachment_hashes(statement: JsonObject) -> list[str]:
    hashes: list[str] = []
    for owner in (statement, statement.get("object")):
        attachments = owner.get("attachments") if isinstance(owner, dict) else None
        for attachment in attachments if isinstance(attachments, list) else []:
            if isinstance(attachment, dict) and isinstance(attachment.get("sha2"), str):
                hashes.append(attachment["sha2"])
    return hashes


def _encode_more(params: list[tuple[str, str]], last: StoredStatement) -> str:
    state = {"q": params, "a": [last.stored.isoformat(), str(last.statement_id)]}
    raw = json.dumps(state, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_more(token: str) -> tuple[list[tuple[str, str]], tuple[datetime, UUID]]:
    try:
        state = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        params = [(str(name), str(value)) for name, value in state["q"]]
        stored, statement_id = state["a"]
        return params, (datetime.fromisoformat(stored), UUID(statement_id))
    except (ValueError, KeyError, TypeError, binascii.Error) as error:
        raise RequestInvalid(
            "this is not a 'more' link this LRS issued; follow the 'more' IRL unchanged"
        ) from error
