"""`make run` starts the portal on port 8000, signing people in with the services' secret."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.portal.config import PortalSettings
from system.devstack import PROCESS_PORTS, portal_environment, uvicorn_command
from system.local_data import local_jwt_secret


def test_the_portal_runs_beside_the_four_services_on_port_8000() -> None:
    assert PROCESS_PORTS["portal"] == 8000
    assert set(PROCESS_PORTS) == {"learning", "coaching", "fidelity", "certification", "portal"}
    assert "services.portal.bootstrap:create_service_app" in uvicorn_command("portal", 8000)


def test_the_portals_settings_come_from_make_runs_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = portal_environment(tmp_path)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    settings = PortalSettings()
    assert settings.local_jwt_secret is not None
    assert settings.local_jwt_secret.get_secret_value() == local_jwt_secret(tmp_path)
    assert settings.certification_url == "http://127.0.0.1:8004"
    assert settings.local_agency == "demo-agency"
    assert portal_environment(tmp_path)["PORTAL_SESSION_SECRET"] == env["PORTAL_SESSION_SECRET"]
    # the sign-in page offers the seeded demo agency's people
    assert {"admin", "supervisor", "coach", "observer"} <= {
        role for identity in settings.demo_identities for role in identity.roles
    }
