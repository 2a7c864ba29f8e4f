"""deploy/compose.yaml keeps what an ops review asked of it (make deploy-check runs it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from tests.deploy.compose_env import SERVICES, base64_password, compose_secrets

COMPOSE = Path(__file__).resolve().parents[3] / "deploy" / "compose.yaml"


def services() -> dict[str, Any]:
    return dict(yaml.safe_load(COMPOSE.read_text())["services"])


def test_the_four_services_share_one_prebuilt_image_and_build_nothing() -> None:
    stack = services()
    images = {stack[s]["image"] for s in SERVICES}
    assert images == {"${MIIWRAP_IMAGE:-localhost/miiwrap:latest}"}
    assert not any("build" in service for service in stack.values())


def test_every_published_port_is_bound_to_loopback() -> None:
    for name, service in services().items():
        for port in service.get("ports", []):
            assert port.startswith("127.0.0.1:"), f"{name} publishes {port} on every interface"


def test_each_service_logs_in_as_its_own_role_with_the_password_outside_the_url() -> None:
    stack = services()
    for service in SERVICES:
        env = stack[service]["environment"]
        url = urlsplit(env[f"{service.upper()}_DATABASE_URL"])
        assert url.username == service
        assert url.password is None
        assert env[f"{service.upper()}_DATABASE_PASSWORD"] == f"${{{service.upper()}_DB_PASSWORD}}"
        assert f"{service.upper()}_DB_PASSWORD" in stack["postgres"]["environment"]


def test_generated_database_passwords_are_base64_with_characters_a_url_would_break_on() -> None:
    secrets = compose_secrets()
    for service in SERVICES:
        password = secrets[f"{service.upper()}_DB_PASSWORD"]
        assert set(password) & set("/+")
    assert base64_password() != base64_password()
