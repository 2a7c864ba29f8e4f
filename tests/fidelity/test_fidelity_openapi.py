"""The fidelity API's contract: every route guarded by a known action, documented with examples."""

from __future__ import annotations

from typing import Any

from fastapi.routing import APIRoute

from services.fidelity.bootstrap import create_service_app
from services.fidelity.config import FidelitySettings
from services.fidelity.permissions import PERMISSIONS
from shared.auth import Allow, Role


def _app_routes() -> list[APIRoute]:
    app = create_service_app(FidelitySettings())
    # the API's own routes: not health, not the interactive docs (outside the schema)
    return [
        r
        for r in app.routes
        if isinstance(r, APIRoute) and r.tags != ["health"] and r.include_in_schema
    ]


def _actions(route: APIRoute) -> list[str]:
    return [d.call.action for d in route.dependant.dependencies if isinstance(d.call, Allow)]


def test_every_route_declares_one_action_from_the_permission_matrix() -> None:
    for route in _app_routes():
        actions = _actions(route)
        assert len(actions) == 1, route.path
        assert actions[0] in PERMISSIONS, (route.path, actions)


def test_no_action_is_open_to_an_lms_partner() -> None:
    assert all(Role.LMS_PARTNER not in roles for roles in PERMISSIONS.values())


def test_request_and_response_bodies_carry_examples() -> None:
    schema: dict[str, Any] = create_service_app(FidelitySettings()).openapi()
    components = schema["components"]["schemas"]
    for name in (
        "InstrumentDefinition",
        "InstrumentPublic",
        "ObservationCreate",
        "ObservationPublic",
        "ReferenceCreate",
        "AttemptCreate",
        "AttemptPublic",
        "CalibrationStatusOut",
        "AgencyReliability",
        "ObserverPairReliability",
        "FidelityTrendOut",
        "DriftSignalOut",
    ):
        assert components[name].get("examples"), name
    create = schema["paths"]["/observations"]["post"]
    assert {"201", "200", "409", "422"} <= set(create["responses"])
