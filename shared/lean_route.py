"""A hot read answered before FastAPI resolves the route's dependencies, when it can be.

Resolving a route's dependency tree (bearer scheme, principal, permission, runtime, clock,
each parameter validated through FastAPI's generic machinery) costs more CPU than the
stored read it guards. A route of a `LeanRoute` router may name a *lean answer* with
`@answered_lean(...)`: the route's own permission dependency is run as the dependency
tree would run it (the same bearer scheme and `Allow` calls), then
the lean answer gets the request and the permitted principal and returns the response,
or None to say "not this one" — then the route runs exactly as declared.

So a lean answer only ever covers the plain case and steps aside for everything else:
no credentials, a refused token or role (the route's own dependencies then answer the
401 or 403), a parameter it does not check itself, a value it would have to refuse, a
row it does not find. It validates what it reads with the route's own types and
answers the bytes the route would; the route's OpenAPI is the declared one.

The kernel's edge reaches a lean answer of a GET before any routing
(shared/lean_dispatch.py); a request it stepped aside for there is marked
(`LEAN_DECLINED`), and its route then runs as declared without asking again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import fastapi.routing
from fastapi import Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.security import HTTPBearer

from shared.auth import Allow, Principal, PrincipalBearer
from shared.problems import Problem

LeanAnswer = Callable[[Request, Principal], Awaitable[Response | None]]
LeanPlan = tuple[HTTPBearer, Allow, LeanAnswer]
Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])

LEAN_ANSWER = "__lean_answer__"
# set in a request's scope when its lean answer already stepped aside for it
LEAN_DECLINED = "miiwrap.lean_declined"


@dataclass(frozen=True)
class Lean:
    """What marks an endpoint as having a lean answer."""

    answer: LeanAnswer | None  # None: built from the route by `build`
    # the route's dependencies (besides its permission) whose values the answer reaches
    # by itself: the runtime, today's date, a page request
    stands_in_for: tuple[Callable[..., Any], ...]
    # a lean write's answer, made from the route as included (shared/lean_write.py); the
    # edge alone asks it, so the declared route never runs it
    build: Callable[[Any, Dependant], LeanAnswer] | None = None

    def answer_for(self, route: Any, dependant: Dependant) -> LeanAnswer:
        if self.build is not None:
            return self.build(route, dependant)
        assert self.answer is not None
        return self.answer


def answered_lean(
    answer: LeanAnswer, *, stands_in_for: Sequence[Callable[..., Any]] = ()
) -> Callable[[Endpoint], Endpoint]:
    """Decorate a route's endpoint (below the `@router.get`): `answer` is tried first.
    `stands_in_for` names the route's dependencies the answer reaches by itself; a route
    with any other dependency than these and its `allow(...)` is refused at start-up."""

    def mark(endpoint: Endpoint) -> Endpoint:
        setattr(endpoint, LEAN_ANSWER, Lean(answer, tuple(stands_in_for)))
        return endpoint

    return mark


class LeanRoute(APIRoute):
    """`APIRouter(route_class=LeanRoute)`: a route with a lean answer tries it first."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        declared = super().get_route_handler()
        lean: Lean | None = getattr(self.endpoint, LEAN_ANSWER, None)
        if lean is None or lean.answer is None:  # none, or a lean write: the edge's alone
            return declared
        bearer, permission = _permission_of(self._effective_dependant(), lean, self.path)
        answer = lean.answer

        async def handler(request: Request) -> Response:
            # overridden: only the declared tree; declined at the edge: not asked again
            if not request.app.dependency_overrides and LEAN_DECLINED not in request.scope:
                principal = await permitted(request, bearer, permission)
                if principal is not None:
                    response = await answer(request, principal)
                    if response is not None:
                        return response
            return await declared(request)

        return handler

    def _effective_dependant(self) -> Dependant:
        """The dependencies the declared route resolves: its own, and those the routers
        that include it add (FastAPI builds the handler of each inclusion under a context
        that holds them), so a lean answer is refused where it would skip one."""
        context_var = getattr(fastapi.routing, "_effective_route_context_var", None)
        context = context_var.get() if context_var is not None else None
        if context is not None and context.original_route is self:
            included: Dependant = context.dependant
            return included
        return self.dependant


def lean_plan(route: object, dependant: Dependant | None, included: Any = None) -> LeanPlan | None:
    """A route's lean answer with the bearer scheme and permission it runs under, or None
    for a route without one; `dependant`: the route's dependencies as an inclusion of it
    resolves them (its own by default), `included`: that inclusion (its settings)."""
    lean: Lean | None = getattr(getattr(route, "endpoint", None), LEAN_ANSWER, None)
    if lean is None or not isinstance(route, APIRoute):
        return None
    if lean.build is None and not isinstance(route, LeanRoute):
        return None  # a lean read is asked again by its route when stepped aside for
    effective = dependant or route.dependant
    bearer, permission = _permission_of(effective, lean, route.path)
    return bearer, permission, lean.answer_for(included or route, effective)


async def permitted(request: Request, bearer: HTTPBearer, permission: Allow) -> Principal | None:
    """The principal the route's permission dependency gives, or None where it refuses
    (the declared route then raises the same problem)."""
    try:
        # the kernel's scheme (the permission itself): the verified principal (_permission_of)
        assert isinstance(bearer, PrincipalBearer)
        return permission.permit(request, await bearer.principal(request))
    except Problem:
        return None


def _permission_of(dependant: Dependant, lean: Lean, path: str) -> tuple[HTTPBearer, Allow]:
    """The route's one `Allow` dependency, which is its bearer scheme too. A lean answer
    stands in for the route's dependencies, so one it does not name is refused here, at
    start-up, rather than silently skipped (plain parameters are the answer's to check)."""
    allows = [d for d in dependant.dependencies if isinstance(d.call, Allow)]
    unnamed = [
        d.call
        for d in dependant.dependencies
        if not isinstance(d.call, Allow) and d.call not in lean.stands_in_for
    ]
    if len(allows) != 1 or unnamed:
        raise TypeError(
            f"{path}: a lean answer needs exactly one allow(...) dependency, and names "
            f"every other one it stands in for (not named: {unnamed!r})"
        )
    permission = allows[0].call
    assert isinstance(permission, Allow)
    # the permission is the bearer scheme too (shared/auth.py Allow)
    return permission, permission
