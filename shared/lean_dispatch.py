"""Lean answers reached from the kernel's edge, past Starlette's and FastAPI's routing.

A lean answer (shared/lean_route.py) skips a route's dependency solving, but a request
still went through three middleware layers, a router, FastAPI's included-router matching
(each candidate route tried under a context of its own) and the route's request/response
wrappers before it: about a quarter of the CPU a stored state read costs the service.
So the edge (shared/request_edge.py) asks this dispatch first, for a GET (and for a POST,
once its body is checked: a create's lean write, shared/lean_write.py): if the app's
routes give the request to a route with a lean answer, that route's permission dependency
and lean answer run right there, under the app's own exception handlers (Starlette's
`ExceptionMiddleware` with the handlers the app declares, as the app's stack has it);
anything else, and every request the lean answer steps aside for, goes through the app
as declared (where the route, told so, does not try its lean answer again).

Which route a request reaches is decided as Starlette decides it: the app's routes in
order, the first whose path and method both match. The routes before a lean one that
could match a path it matches (by their templates: as many segments, and literals that
agree where neither has a parameter; a mount by its prefix) are tried at request time;
those that cannot are left out once, when the dispatch is built. A route whose path
cannot be read (a host route) before a lean one leaves that lean one to the app.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.security import HTTPBearer
from starlette.convertors import Convertor, PathConvertor
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.requests import Request
from starlette.types import Receive, Scope, Send

from shared import lean_route
from shared.auth import Allow
from shared.lean_route import LEAN_DECLINED, LeanAnswer, lean_plan
from shared.lean_write import LeanWrite

_TARGET = "miiwrap.lean_target"
_PARAMETER = re.compile(r"\{[^}]*\}")


@dataclass(frozen=True, slots=True)
class _Shadow:
    """A route before a lean one that may match some of the paths it matches."""

    path_regex: re.Pattern[str]
    methods: frozenset[str] | None  # None: any method (a mount)


@dataclass(frozen=True, slots=True)
class _Target:
    """A route with a lean answer, and what the declared route would resolve for it."""

    method: str  # GET (a lean read) or POST (a lean write, shared/lean_write.py)
    path_regex: re.Pattern[str]
    convertors: dict[str, Convertor[Any]]
    route: Any  # set as the scope's `route`, as the router sets it
    endpoint: Any
    bearer: HTTPBearer
    permission: Allow
    answer: LeanAnswer
    shadows: tuple[_Shadow, ...]


@dataclass(frozen=True, slots=True)
class _Template:
    """A route's path template, read for what paths it could match."""

    segments: tuple[str | None, ...]  # literal segments; None for one holding a parameter
    open_ended: bool  # a mount, or a `:path` parameter: it matches deeper paths too

    @classmethod
    def of(cls, path_format: str, convertors: dict[str, Convertor[Any]], mount: bool) -> _Template:
        open_ended = mount or any(isinstance(c, PathConvertor) for c in convertors.values())
        segments = tuple(
            None if _PARAMETER.search(part) else part for part in path_format.split("/")
        )
        if open_ended:  # only the literal prefix before the first parameter says anything
            prefix = []
            for segment in segments:
                if segment is None:
                    break
                prefix.append(segment)
            segments = tuple(prefix)
        return cls(segments, open_ended)

    def may_share_a_path_with(self, other: _Template) -> bool:
        closed = not self.open_ended and not other.open_ended
        if closed and len(self.segments) != len(other.segments):
            return False
        return all(
            a is None or b is None or a == b
            for a, b in zip(self.segments, other.segments, strict=False)
        )


class LeanDispatch:
    """The lean routes of one app and the routes that could shadow each (module docstring)."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.route_count = len(app.router.routes)
        self.targets = tuple(_targets(list(_candidates(app))))
        # the app's own exception handlers, as its middleware stack sets them up (Starlette
        # gives the handlers of 500 and of `Exception` to the outermost layer instead)
        handlers = {k: v for k, v in app.exception_handlers.items() if k not in (500, Exception)}
        self.handled = ExceptionMiddleware(_answer_lean, handlers=handlers, debug=app.debug)

    def current_for(self, app: FastAPI) -> bool:
        return app is self.app and len(app.router.routes) == self.route_count

    def target_of(self, scope: Scope) -> _Target | None:
        """The lean route this GET or POST reaches, with its path parameters set in the
        scope."""
        if scope.get("root_path") or self.app.dependency_overrides:
            return None  # a mounted app, or a test's overrides: only the declared routes
        path: str = scope["path"]
        method: str = scope["method"]
        for target in self.targets:
            if target.method != method:
                continue
            found = target.path_regex.match(path)
            if found is None:
                continue
            for shadow in target.shadows:
                if shadow.path_regex.match(path) and (
                    shadow.methods is None or method in shadow.methods
                ):
                    return None
            convertors = target.convertors
            scope["path_params"] = {
                name: convertors[name].convert(value) for name, value in found.groupdict().items()
            }
            return target
        return None

    async def answer(self, target: _Target, scope: Scope, receive: Receive, send: Send) -> bool:
        """Answer with the target's lean answer (or the app's handler of what it raised);
        False where it stepped aside, having sent nothing."""
        scope["route"] = target.route
        scope["endpoint"] = target.endpoint
        scope[_TARGET] = target
        try:
            await self.handled(scope, receive, send)
        finally:
            del scope[_TARGET]
        return LEAN_DECLINED not in scope


async def _answer_lean(scope: Scope, receive: Receive, send: Send) -> None:
    """The lean answer of the scope's target; where it steps aside, the scope is marked
    so (`LEAN_DECLINED`) and nothing is sent."""
    target: _Target = scope[_TARGET]
    request = Request(scope, receive, send)
    principal = await lean_route.permitted(request, target.bearer, target.permission)
    response = None if principal is None else await target.answer(request, principal)
    if response is None:
        scope[LEAN_DECLINED] = True
        return
    await response(scope, receive, send)


def _candidates(app: FastAPI) -> Iterator[Any]:
    """The app's routes in the order the router tries them, included routers opened."""
    for route in app.router.routes:
        contexts = getattr(route, "effective_route_contexts", None)
        if contexts is not None:
            yield from contexts()
        else:
            yield route


def _targets(candidates: Sequence[Any]) -> Iterator[_Target]:
    for index, candidate in enumerate(candidates):
        route = getattr(candidate, "original_route", candidate)
        plan = lean_plan(route, getattr(candidate, "dependant", None), candidate)
        methods = getattr(candidate, "methods", None)
        if plan is None or not methods:
            continue
        method = "POST" if isinstance(plan[2], LeanWrite) else "GET"
        if method not in methods:
            continue
        template = _template_of(candidate)
        shadows = []
        for earlier in candidates[:index]:
            earlier_template = _template_of(earlier)
            if earlier_template is None:
                break  # a route whose paths cannot be read: this one is left to the app
            earlier_methods = getattr(earlier, "methods", None)
            if earlier_methods and method not in earlier_methods:
                continue
            if template is not None and earlier_template.may_share_a_path_with(template):
                shadows.append(
                    _Shadow(
                        earlier.path_regex,
                        frozenset(earlier_methods) if earlier_methods else None,
                    )
                )
        else:
            if template is None:
                continue
            bearer, permission, answer = plan
            yield _Target(
                method,
                candidate.path_regex,
                dict(candidate.param_convertors),
                route,
                getattr(candidate, "endpoint", None),
                bearer,
                permission,
                answer,
                tuple(shadows),
            )


def _template_of(candidate: Any) -> _Template | None:
    path_format = getattr(candidate, "path_format", None)
    regex = getattr(candidate, "path_regex", None)
    if not isinstance(path_format, str) or regex is None:
        return None
    mount = not getattr(candidate, "methods", None)
    return _Template.of(path_format, dict(getattr(candidate, "param_convertors", {})), mount)
