"""The LRS under `/xapi/`: every xAPI 1.0.3 resource, each method served by `serve`.

Each path has one method table; every HTTP method registered on the path hands the
table to `serve`, so a POST in the Alternate Request Syntax reaches the handler of
the method it names. Paths under `/xapi/` that are no resource answer 404 with the
xAPI headers too.
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import APIRouter, Request
from starlette.responses import Response

from shared.problems import NotFound

from ..documents import DocumentResource
from . import documents, info, statements
from .serving import Handler, XapiCall, serve

XAPI_TAG = "xAPI (LRS)"
_ALL = ["GET", "HEAD", "PUT", "POST", "DELETE"]

router = APIRouter(prefix="/xapi", tags=[XAPI_TAG])

_AUTH = (
    "HTTP Basic with an LMS credential of your agency (key:secret); send "
    "`X-Experience-API-Version: 1.0.3`. Bad input answers 400 with a problem+json body."
)


def _resource(
    path: str,
    table: Mapping[str, Handler],
    summary: str,
    *,
    anonymous: bool = False,
    statements_resource: bool = False,
) -> None:
    async def endpoint(request: Request) -> Response:
        return await serve(
            request, table, anonymous=anonymous, statements_resource=statements_resource
        )

    documented = {*table, "POST"} | ({"HEAD"} if "GET" in table else set())
    for method in _ALL:  # the others answer 405 (with the xAPI headers) rather than 404
        router.add_api_route(
            path,
            endpoint,
            methods=[method],
            summary=f"{summary} ({method})",
            description=("No credentials needed. " if anonymous else _AUTH + " ")
            + "POST with `?method=` is the Alternate Request Syntax.",
            response_class=Response,
            operation_id=f"xapi_{path.strip('/').replace('/', '_') or 'root'}_{method.lower()}",
            include_in_schema=method in documented and path != "",
        )
        # the same resource with a trailing slash (no redirect: clients would lose the body)
        router.add_api_route(
            path.rstrip("/") + "/",
            endpoint,
            methods=[method],
            response_class=Response,
            include_in_schema=False,
        )


_resource(
    "/statements",
    {
        "GET": statements.get_statements,
        "PUT": statements.put_statement,
        "POST": statements.post_statements,
    },
    "Statements",
    statements_resource=True,
)
_resource("/activities/state", documents.handlers(DocumentResource.STATE), "State documents")
_resource(
    "/activities/profile",
    documents.handlers(DocumentResource.ACTIVITY_PROFILE),
    "Activity Profile documents",
)
_resource(
    "/agents/profile", documents.handlers(DocumentResource.AGENT_PROFILE), "Agent Profile documents"
)
_resource("/activities", {"GET": info.get_activity}, "Activity")
_resource("/agents", {"GET": info.get_person}, "Person of an Agent")
_resource("/about", {"GET": info.get_about}, "About this LRS", anonymous=True)
# the LRS root answers what About does (clients probe it; a redirect would lead nowhere)
_resource("", {"GET": info.get_about}, "The LRS root (as About)", anonymous=True)


async def more_statements(request: Request, token: str) -> Response:
    async def page(call: XapiCall) -> Response:
        return await statements.get_more(call, token)

    return await serve(request, {"GET": page}, statements_resource=True)


for _method in ("GET", "HEAD"):
    router.add_api_route(
        "/statements/more/{token}",
        more_statements,
        methods=[_method],
        summary=f"The next page of a Statement query: the `more` IRL ({_method})",
        response_class=Response,
        operation_id=f"xapi_statements_more_{_method.lower()}",
    )
    router.add_api_route(
        "/statements/more/{token}/",
        more_statements,
        methods=[_method],
        response_class=Response,
        include_in_schema=False,
    )


async def _no_resource(call: XapiCall) -> Response:
    raise NotFound(
        "no xAPI resource here; the LRS serves statements, activities, activities/state, "
        "activities/profile, agents, agents/profile and about under /xapi/"
    )


@router.api_route("/{path:path}", methods=_ALL, include_in_schema=False)
async def unknown_resource(request: Request, path: str) -> Response:
    table: dict[str, Handler] = {method: _no_resource for method in _ALL if method != "HEAD"}
    return await serve(request, table, anonymous=True)
