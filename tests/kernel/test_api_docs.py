"""`/docs` works on a closed network: every asset it loads is served by the service itself."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from services.certification.bootstrap import create_service_app as certification_app
from services.certification.config import CertificationSettings
from services.coaching.bootstrap import create_service_app as coaching_app
from services.coaching.config import CoachingSettings
from services.fidelity.bootstrap import create_service_app as fidelity_app
from services.fidelity.config import FidelitySettings
from services.learning.bootstrap import create_service_app as learning_app
from services.learning.config import LearningSettings
from shared.testing.apps import running

SERVICES = [
    (LearningSettings, learning_app),
    (CoachingSettings, coaching_app),
    (FidelitySettings, fidelity_app),
    (CertificationSettings, certification_app),
]
ASSET_URL = re.compile(r"""(?:href|src)="([^"]+)\"""")


@pytest.mark.parametrize(
    ("settings_cls", "factory"), SERVICES, ids=lambda v: getattr(v, "__name__", "")
)
async def test_swagger_ui_loads_only_assets_the_service_serves_itself(
    settings_for: Callable[..., Any], settings_cls: type, factory: Callable[..., Any]
) -> None:
    async with running(factory(settings_for(settings_cls))) as client:
        page = await client.get("/docs")
        assert page.status_code == 200
        html = page.text
        assets = ASSET_URL.findall(html)
        assert sorted(assets) == [
            "/static/swagger/favicon-32x32.png",
            "/static/swagger/swagger-ui-bundle.js",
            "/static/swagger/swagger-ui.css",
        ]
        assert "http://" not in html and "https://" not in html
        assert "url: '/openapi.json'" in html
        assert '"validatorUrl": null' in html
        for asset in assets:
            served = await client.get(asset)
            assert served.status_code == 200, asset
            assert len(served.content) > 500, asset
        script = await client.get("/static/swagger/swagger-ui-bundle.js")
        assert "SwaggerUIBundle" in script.text
        assert "javascript" in script.headers["content-type"]
        licence = await client.get("/static/swagger/LICENSE")
        assert "Apache License" in licence.text


async def test_redoc_is_not_served_since_its_assets_would_come_from_a_cdn(
    settings_for: Callable[..., Any],
) -> None:
    async with running(fidelity_app(settings_for(FidelitySettings))) as client:
        redoc = await client.get("/redoc")
        assert redoc.status_code == 404
        assert redoc.headers["content-type"] == "application/problem+json"
