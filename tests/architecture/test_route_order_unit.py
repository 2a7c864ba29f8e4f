"""No route of one router matches a request a route of another router matches.

A request is matched against an app's routes in turn, so each service puts its most asked
routers first and the kernel's (probes, scrapes, operations) last (shared/service.py).
That is only safe while the order changes no answer: what this holds, for every service.
Routes of one router may overlap on purpose (the xAPI's trailing-slash forms and its
catch-all); their order is the router's own and never changes.
"""

from __future__ import annotations

import itertools

from fastapi import FastAPI
from pydantic import SecretStr

from services.certification.bootstrap import create_service_app as certification_app
from services.certification.config import CertificationSettings
from services.coaching.bootstrap import create_service_app as coaching_app
from services.coaching.config import CoachingSettings
from services.fidelity.bootstrap import create_service_app as fidelity_app
from services.fidelity.config import FidelitySettings
from services.learning.bootstrap import create_service_app as learning_app
from services.learning.config import LearningSettings

SECRET = SecretStr("s" * 40)
Route = tuple[str, frozenset[str]]  # path template, methods


def apps() -> dict[str, FastAPI]:
    return {
        "learning": learning_app(LearningSettings(jwt_secret=SECRET)),
        "coaching": coaching_app(CoachingSettings(jwt_secret=SECRET)),
        "fidelity": fidelity_app(FidelitySettings(jwt_secret=SECRET)),
        "certification": certification_app(CertificationSettings(jwt_secret=SECRET)),
    }


def routes_by_router(app: FastAPI) -> list[list[Route]]:
    """Each included router's routes (FastAPI's own docs routes count as one router)."""
    groups: list[list[Route]] = [[]]
    for route in app.routes:
        if hasattr(route, "effective_route_contexts"):
            groups.append(
                [
                    (str(context.path_format), frozenset(context.methods or ()))
                    for context in route.effective_route_contexts()
                ]
            )
        elif isinstance(getattr(route, "path", None), str):
            groups[0].append((route.path, frozenset(getattr(route, "methods", None) or ())))
    return groups


def may_match_alike(one: Route, other: Route) -> bool:
    """Whether some request matches both: a method in common (or a mount), and paths of as
    many segments whose literals agree wherever neither has a parameter."""
    (path, methods), (other_path, other_methods) = one, other
    if methods and other_methods and not methods & other_methods:
        return False
    segments, other_segments = path.split("/"), other_path.split("/")
    return len(segments) == len(other_segments) and all(
        a == b or a.startswith("{") or b.startswith("{")
        for a, b in zip(segments, other_segments, strict=True)
    )


def test_no_two_routers_of_a_service_match_the_same_request() -> None:
    for name, app in apps().items():
        groups = routes_by_router(app)
        assert len(groups) > 4, name
        clashes = [
            (one, other)
            for first, second in itertools.combinations(groups, 2)
            for one in first
            for other in second
            if may_match_alike(one, other)
        ]
        assert clashes == [], name


def test_a_shadowed_route_is_recognised() -> None:
    assert may_match_alike(
        ("/practitioners/{id}", frozenset({"GET"})), ("/practitioners/export", frozenset({"GET"}))
    )
    assert not may_match_alike(
        ("/practitioners/{id}", frozenset({"GET"})), ("/practitioners/{id}", frozenset({"POST"}))
    )
    assert not may_match_alike(("/a/{id}/b", frozenset({"GET"})), ("/a/{id}/c", frozenset({"GET"})))
