"""The OpenAPI document: every route present, documented errors, examples on the models."""

from __future__ import annotations

from services.certification.bootstrap import create_service_app
from services.certification.config import CertificationSettings
from services.certification.entrypoints.credentials import PUBLIC_PATHS
from services.certification.permissions import PERMISSIONS


def test_every_route_documents_its_problems_and_the_models_carry_examples() -> None:
    document = create_service_app(CertificationSettings()).openapi()
    operations = {
        (method.upper(), path): operation
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
        if path not in {"/healthz", "/readyz", "/metrics"}  # operational, unauthenticated
    }
    assert ("POST", "/practitioners") in operations
    assert ("GET", "/practitioners/{practitioner_id}/certification") in operations
    assert ("POST", "/policies/what-if") in operations
    assert ("POST", "/projections/rebuild") in operations
    assert ("POST", "/import-windows/{window_id}/close") in operations
    assert ("POST", "/credentials/verify") in operations
    for key, operation in operations.items():
        assert {"401", "403", "422"} <= set(operation["responses"]), key
        public = key[1] in PUBLIC_PATHS  # a credential's verifier needs no account
        assert bool(operation.get("security")) is not public, f"{key} declares no principal"
    schemas = document["components"]["schemas"]
    for model in (
        "PractitionerCreate",
        "PractitionerPublic",
        "CertificationStatePublic",
        "PublishedTransitionPublic",
        "AdminDecisionCreate",
        "AdoptionCreate",
        "WhatIfPublic",
        "RebuildPublic",
        "ImportWindowCreate",
        "ImportWindowPublic",
        "VerificationRequest",
        "VerificationPublic",
    ):
        assert schemas[model].get("examples"), model
    assert all(action.count(".") == 1 for action in PERMISSIONS)
