"""Every service documents the Idempotency-Key header, once, on every POST it serves."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI

from services.certification.bootstrap import create_service_app as certification_app
from services.certification.config import CertificationSettings
from services.coaching.bootstrap import create_service_app as coaching_app
from services.coaching.config import CoachingSettings
from services.fidelity.bootstrap import create_service_app as fidelity_app
from services.fidelity.config import FidelitySettings
from services.learning.bootstrap import create_service_app as learning_app
from services.learning.config import LearningSettings

REFERENCE = {"$ref": "#/components/parameters/IdempotencyKey"}


def apps() -> dict[str, FastAPI]:
    return {
        "learning": learning_app(LearningSettings()),
        "coaching": coaching_app(CoachingSettings()),
        "fidelity": fidelity_app(FidelitySettings()),
        "certification": certification_app(CertificationSettings()),
    }


@pytest.mark.parametrize("service", ["learning", "coaching", "fidelity", "certification"])
def test_every_json_post_names_the_shared_idempotency_key_header(
    service: str,
) -> None:
    schema: dict[str, Any] = apps()[service].openapi()
    posts = {p: item["post"] for p, item in schema["paths"].items() if "post" in item}

    keyed = {p for p, op in posts.items() if REFERENCE in op.get("parameters", [])}

    assert schema["components"]["parameters"]["IdempotencyKey"]["in"] == "header"
    # raw-body routes parse their own bodies: the xAPI LRS (statement ids) and bulk
    # imports (every line has its stable id) are idempotent without the header
    assert keyed == {p for p in posts if not p.startswith(("/xapi/", "/imports"))}
    assert keyed, "a service without a create"
