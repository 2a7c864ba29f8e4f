"""What `make run` keeps in `.data/` across runs: the secrets it generated the first time.

Generated once and kept, so tokens, the demo LMS credential and the NATS users stay valid
across restarts; `make clean-data` starts afresh.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path

from shared.auth import signing_settings
from shared.config import ServiceSettings
from system.topology import SERVICES

DEMO_AGENCY = "demo-agency"  # the learning service seeds its LMS credential (xapi.wiring)
DEMO_XAPI_KEY = "demo-lms"  # the demo agency's LMS credential, seeded by the learning service


def local_jwt_secret(data_dir: Path) -> str:
    """Generated on the first run and kept, so tokens stay valid across restarts."""
    path = data_dir / "jwt-secret"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def local_settings(data_dir: Path) -> ServiceSettings:
    """Settings that sign tokens with the local secret (the CLI's `token`, the demo)."""
    return signing_settings(local_jwt_secret(data_dir))


def portal_session_secret(data_dir: Path) -> str:
    """The portal's cookie-signing secret, generated once so sessions survive a restart."""
    path = data_dir / "portal-session-secret"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def demo_xapi_secret(data_dir: Path) -> str:
    """The demo LMS credential's secret, generated once and kept like the JWT secret."""
    path = data_dir / "demo-xapi-secret"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(24))
        path.chmod(0o600)
    return path.read_text().strip()


def nats_passwords(data_dir: Path) -> dict[str, str]:
    """NATS passwords of the services and of every local agency's app (`app-<agency>`),
    each generated the first time it is needed and kept."""
    path = data_dir / "nats-passwords.json"
    passwords: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    names = [*SERVICES, *(f"app-{agency}" for agency in local_agencies(data_dir))]
    missing = [n for n in names if n not in passwords]
    if missing or not path.exists():
        passwords.update({n: secrets.token_urlsafe(24) for n in missing})
        path.write_text(json.dumps(passwords))
        path.chmod(0o600)
    return passwords


def local_agencies(data_dir: Path) -> dict[str, dict[str, str | None]]:
    """The agencies of `make run` (`.data/agencies.json`): the demo agency and every
    agency `miiwrap agency create` onboarded. The secured NATS configuration has an app
    user for each."""
    path = data_dir / "agencies.json"
    agencies: dict[str, dict[str, str | None]] = {DEMO_AGENCY: {"name": "Demo agency", "url": None}}
    if path.exists():
        agencies.update(json.loads(path.read_text()))
    return agencies


def add_local_agency(data_dir: Path, agency_id: str, name: str, url: str | None) -> None:
    """Keep an onboarded agency in the local list (a repeat overwrites its details)."""
    path = data_dir / "agencies.json"
    agencies = json.loads(path.read_text()) if path.exists() else {}
    agencies[agency_id] = {"name": name, "url": url}
    path.write_text(json.dumps(agencies, indent=2, sort_keys=True) + "\n")
