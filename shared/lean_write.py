"""A create answered from the kernel's edge, past Starlette's routing and FastAPI's
dependency solving, doing what the declared route does, and stepping aside where it
cannot be sure.

A POST through FastAPI runs two middleware layers, the router (each included route tried
under a context of its own), the route's request/response wrappers with two exit stacks,
and the dependency solver (the permission, the runtime, a `Response` made for the route
to set its status on, the body validated by a generic walk) before the endpoint; and the
answer goes back out through each. For the hot creates those layers are the part of a
write's service CPU no database work explains.

`@answered_lean_write(stand_ins={...})` on a route's endpoint lets the edge
(shared/lean_dispatch.py) answer a POST reaching that route itself:

- the route's one `allow(...)` dependency runs as the dependency tree runs it; a refused
  or missing token steps aside (the declared route answers the 401 or 403);
- a body that is not `application/json` (the body guard let through only JSON, but
  FastAPI reads the media type its own way), empty, or that the route's body field
  refuses steps aside (the declared route answers the same 422, with FastAPI's bytes);
- the route's other dependencies are the ones named in `stand_ins`, each with an async
  function of the request giving the value the dependency would; any other dependency,
  parameter or feature (path, query, header or cookie parameters, background tasks,
  a streaming or sync endpoint, a body size limit of FastAPI's, an embedded body) is
  refused at start-up rather than skipped;
- from there on it does not step aside: the endpoint runs once, with the values FastAPI
  would pass, and its return is made into the answer with FastAPI's own
  `serialize_response` and the route's status, response class and model settings, as
  `get_request_handler` does; an error it raises goes to the app's handlers, as the
  declared route's would.

The body guard, the idempotency keys and the edge's own work (headers, logs, trace,
metrics) stay around it exactly as around the declared route.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

import fastapi.routing
from fastapi import Request, Response
from fastapi.datastructures import DefaultPlaceholder
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import EndpointContext
from fastapi.routing import serialize_response
from fastapi.utils import is_body_allowed_for_status_code

from shared.auth import Allow, Principal
from shared.lean_route import LEAN_ANSWER, Lean, LeanAnswer

StandIn = Callable[[Request], Awaitable[Any]]
Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])

_JSON = "application/json"


def answered_lean_write(
    *, stand_ins: Mapping[Callable[..., Any], StandIn] | None = None
) -> Callable[[Endpoint], Endpoint]:
    """Decorate a create's endpoint (below the `@router.post`): the edge answers it
    itself (module docstring). `stand_ins`: the route's dependencies besides its
    `allow(...)`, each with the function of the request giving its value."""
    given = dict(stand_ins or {})

    def build(route: Any, dependant: Dependant) -> LeanAnswer:
        return LeanWrite(route, dependant, given)

    def mark(endpoint: Endpoint) -> Endpoint:
        setattr(endpoint, LEAN_ANSWER, Lean(None, tuple(given), build=build))
        return endpoint

    return mark


class LeanWrite:
    """The lean answer of one create route (module docstring), built from the route as
    the router includes it (its effective dependencies and settings)."""

    def __init__(
        self, route: Any, dependant: Dependant, stand_ins: Mapping[Callable[..., Any], StandIn]
    ) -> None:
        self.path = str(getattr(route, "path", "?"))
        self._refuse_unless(set(getattr(route, "methods", ())) == {"POST"}, "a POST route")
        call = dependant.call
        self._refuse_unless(
            call is not None
            and inspect.iscoroutinefunction(call)
            and not inspect.isasyncgenfunction(call),
            "an async endpoint returning its answer",
        )
        assert call is not None
        self.call: Callable[..., Awaitable[Any]] = call
        # what FastAPI names in a response validation error (the route's POST only);
        # read through its private helper when this FastAPI has it, as the router does
        extract = getattr(fastapi.routing, "_extract_endpoint_context", None)
        self.endpoint_ctx = EndpointContext(**(extract(call) if extract is not None else {}))
        if dependant.path:
            self.endpoint_ctx["path"] = f"POST {dependant.path}"
        for kind in ("path_params", "query_params", "header_params", "cookie_params"):
            self._refuse_unless(not getattr(dependant, kind), f"no {kind.replace('_', ' ')}")
        for name in (
            "request_param_name",
            "websocket_param_name",
            "http_connection_param_name",
            "background_tasks_param_name",
            "security_scopes_param_name",
        ):
            self._refuse_unless(getattr(dependant, name, None) is None, f"no {name}")
        self._refuse_unless(len(dependant.body_params) == 1, "one body parameter")
        body_field = route.body_field
        self._refuse_unless(
            body_field is not None and not route._embed_body_fields, "a body not embedded"
        )
        self._refuse_unless(getattr(route, "max_body_size", None) is None, "no body limit")
        self._refuse_unless(
            not getattr(route, "is_sse_stream", False)
            and not getattr(route, "is_json_stream", False),
            "no stream",
        )
        self.body_field = body_field
        self.body_name = dependant.body_params[0].name
        self.response_name = dependant.response_param_name
        principal_name: str | None = None
        values: list[tuple[str, StandIn]] = []
        for sub in dependant.dependencies:
            self._refuse_unless(sub.name is not None, "named dependencies")
            assert sub.name is not None
            if isinstance(sub.call, Allow):
                principal_name = sub.name
            else:
                stand_in = stand_ins.get(sub.call) if sub.call is not None else None
                self._refuse_unless(stand_in is not None, f"a stand-in for {sub.call!r}")
                assert stand_in is not None
                values.append((sub.name, stand_in))
        self._refuse_unless(principal_name is not None, "an allow(...) dependency")
        assert principal_name is not None
        self.principal_name = principal_name
        self.stand_ins = tuple(values)
        self.status_code: int | None = route.status_code
        response_class = route.response_class
        self.use_dump_json = route.response_field is not None and isinstance(
            response_class, DefaultPlaceholder
        )
        self.response_class: type[Response] = (
            response_class.value
            if isinstance(response_class, DefaultPlaceholder)
            else response_class
        )
        self.response_field = route.response_field
        self.serialization = {
            "include": route.response_model_include,
            "exclude": route.response_model_exclude,
            "by_alias": route.response_model_by_alias,
            "exclude_unset": route.response_model_exclude_unset,
            "exclude_defaults": route.response_model_exclude_defaults,
            "exclude_none": route.response_model_exclude_none,
        }

    def _refuse_unless(self, holds: bool, needed: str) -> None:
        if not holds:
            raise TypeError(f"{self.path}: a lean write needs {needed}")

    async def __call__(self, request: Request, principal: Principal) -> Response | None:
        body = await self._body(request)
        if body is None:
            return None
        command, errors = self.body_field.validate(body, {}, loc=("body",))
        if errors:
            return None  # the declared route answers the 422
        values: dict[str, Any] = {self.principal_name: principal, self.body_name: command}
        for name, stand_in in self.stand_ins:
            values[name] = await stand_in(request)
        # the response FastAPI gives a route to set its status and headers on
        sub_response = Response()
        del sub_response.headers["content-length"]
        sub_response.status_code = None  # type: ignore[assignment]
        if self.response_name is not None:
            values[self.response_name] = sub_response
        returned = await self.call(**values)
        return await self._answer(returned, sub_response)

    async def _body(self, request: Request) -> Any | None:
        """The parsed JSON body, as FastAPI's handler reads it; None where it would read
        it otherwise (or find none)."""
        media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if media != _JSON:
            return None
        raw = await request.body()
        if not raw:
            return None
        try:
            return json.loads(raw)
        except ValueError:
            return None

    async def _answer(self, returned: Any, sub_response: Response) -> Response:
        """`get_request_handler`'s answer of an endpoint's return (fastapi/routing.py)."""
        if isinstance(returned, Response):
            return returned  # no background tasks: the route takes none
        status_code = sub_response.status_code or self.status_code
        content = await serialize_response(
            field=self.response_field,
            response_content=returned,
            is_coroutine=True,
            endpoint_ctx=self.endpoint_ctx,
            dump_json=self.use_dump_json,
            **self.serialization,
        )
        arguments: dict[str, Any] = {"background": None}
        if status_code is not None:
            arguments["status_code"] = status_code
        if self.use_dump_json:
            response = Response(content=content, media_type=_JSON, **arguments)
        else:
            response = self.response_class(content, **arguments)
        if not is_body_allowed_for_status_code(response.status_code):
            response.body = b""
        response.headers.raw.extend(sub_response.headers.raw)
        return response
