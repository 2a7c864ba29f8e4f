"""The State, Activity Profile and Agent Profile resources (Communication §2.3, §2.6, §2.7).

One document, or the ids of many, addressed by the resource's parameters. PUT replaces,
POST merges JSON objects, DELETE removes (State: all of a context without `stateId`).
A write checks If-Match / If-None-Match against the current ETag (412 when they fail);
a profile PUT that would overwrite without either is a 409. GET answers the document
with its ETag and Last-Modified; a HEAD the same without the body.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

from starlette.responses import Response

from shared.problems import NotFound

from ..adapters import document_store
from ..adapters.document_store import DocumentAddress
from ..agents import agent_identity
from ..documents import (
    DocumentResource,
    check_preconditions,
    merged,
    parse_etags,
    replacement,
)
from ..errors import RequestInvalid
from ..formats import is_iri, is_timestamp, is_uuid, parse_timestamp
from ..limits import MAX_INDEXED_BYTES, TooLarge
from .protocol import agent_parameter, check_parameters, http_date
from .serving import Handler, XapiCall

_SCOPE = {
    DocumentResource.STATE: ("activityId", "agent", "registration"),
    DocumentResource.ACTIVITY_PROFILE: ("activityId",),
    DocumentResource.AGENT_PROFILE: ("agent",),
}


def handlers(resource: DocumentResource) -> dict[str, Handler]:
    """The method table of a document resource."""

    def bind(
        action: Callable[[XapiCall, DocumentResource], Awaitable[Response]],
    ) -> Handler:
        return lambda call: action(call, resource)

    return {"GET": bind(_get), "PUT": bind(_put), "POST": bind(_post), "DELETE": bind(_delete)}


def _address(
    call: XapiCall, resource: DocumentResource, *, id_required: bool
) -> tuple[DocumentAddress, dict[str, str]]:
    scope = _SCOPE[resource]
    optional = {"registration"} & set(scope)
    allowed = frozenset({*scope, resource.id_parameter})
    if call.request.method in ("GET", "HEAD"):
        allowed |= {"since"}
    required = frozenset(set(scope) - optional) | (
        {resource.id_parameter} if id_required else set()
    )
    params = check_parameters(call.request, allowed, required)
    if "since" in params and resource.id_parameter in params:
        raise RequestInvalid(
            f"'since' lists document ids; it cannot be combined with {resource.id_parameter}"
        )
    if "activityId" in params and not is_iri(params["activityId"]):
        raise RequestInvalid(f"activityId {params['activityId']!r} is not an absolute IRI")
    if "registration" in params and not is_uuid(params["registration"]):
        raise RequestInvalid(f"registration {params['registration']!r} is not a UUID")
    if "since" in params and not is_timestamp(params["since"]):
        raise RequestInvalid(f"since {params['since']!r} is not an ISO 8601 timestamp")
    agent_key = _agent_key(params["agent"]) if "agent" in params else ""
    address = DocumentAddress(
        resource,
        activity_id=params.get("activityId", ""),
        agent_key=agent_key,
        registration=params["registration"].lower() if "registration" in params else "",
        document_id=params.get(resource.id_parameter, ""),
    )
    if sum(len(value.encode()) for value in address.values()) > 2 * MAX_INDEXED_BYTES:
        raise TooLarge("the document's Activity id, Agent and id together exceed 2048 bytes")
    return address, params


def _agent_key(raw: str) -> str:
    identity = agent_identity(agent_parameter(raw))
    assert identity is not None
    return identity.key


async def _get(call: XapiCall, resource: DocumentResource) -> Response:
    address, params = _address(call, resource, id_required=False)
    if resource.id_parameter not in params:
        return await _ids(call, address, params)
    async with call.lrs.pool.acquire() as conn:
        found = await document_store.find_document(conn, call.agency_id, address)
    if found is None:
        raise NotFound(f"no document {address.document_id!r} here; PUT or POST it first")
    return Response(
        found.document.content,
        headers={
            "Content-Type": found.document.content_type,
            "ETag": f'"{found.document.etag}"',
            "Last-Modified": http_date(found.updated),
        },
    )


async def _ids(call: XapiCall, address: DocumentAddress, params: dict[str, str]) -> Response:
    since = parse_timestamp(params["since"]) if "since" in params else None
    async with call.lrs.pool.acquire() as conn:
        found = await document_store.document_ids(
            conn,
            call.agency_id,
            address,
            registration_given="registration" in params,
            since=since,
        )
    response = Response(
        json.dumps([document_id for document_id, _ in found]).encode(),
        media_type="application/json",
    )
    if found:
        response.headers["Last-Modified"] = http_date(max(updated for _, updated in found))
    return response


async def _put(call: XapiCall, resource: DocumentResource) -> Response:
    return await _write(call, resource, is_put=True)


async def _post(call: XapiCall, resource: DocumentResource) -> Response:
    return await _write(call, resource, is_put=False)


async def _write(call: XapiCall, resource: DocumentResource, *, is_put: bool) -> Response:
    address, _ = _address(call, resource, id_required=True)
    content_type = call.request.content_type or "application/octet-stream"
    async with call.lrs.pool.acquire() as conn, conn.transaction():
        await document_store.lock_document(conn, call.agency_id, address)
        found = await document_store.find_document(conn, call.agency_id, address)
        current = found.document if found else None
        check_preconditions(
            current,
            if_match=parse_etags(call.request.header("if-match")),
            if_none_match=parse_etags(call.request.header("if-none-match")),
            is_put=is_put,
            put_needs_precondition=resource.put_needs_precondition,
        )
        body = call.request.body
        document = (
            replacement(content_type, body) if is_put else merged(current, content_type, body)
        )
        await document_store.save_document(conn, call.agency_id, address, document)
    return Response(status_code=204)


async def _delete(call: XapiCall, resource: DocumentResource) -> Response:
    single = resource is not DocumentResource.STATE or "stateId" in dict(call.request.params)
    address, params = _address(call, resource, id_required=single)
    async with call.lrs.pool.acquire() as conn, conn.transaction():
        if not single:
            await document_store.delete_documents(
                conn, call.agency_id, address, registration_given="registration" in params
            )
            return Response(status_code=204)
        await document_store.lock_document(conn, call.agency_id, address)
        found = await document_store.find_document(conn, call.agency_id, address)
        check_preconditions(
            found.document if found else None,
            if_match=parse_etags(call.request.header("if-match")),
            if_none_match=parse_etags(call.request.header("if-none-match")),
            is_put=False,
            put_needs_precondition=False,
        )
        await document_store.delete_document(conn, call.agency_id, address)
    return Response(status_code=204)
