"""Write an env file for deploy/compose.yaml with fresh random secrets.

Database passwords are base64 (they hold `/`, `+` and `=`, which break a password put
raw into a URL): the stack proves they reach PostgreSQL intact. NATS passwords and the
JWT secret are URL-safe.  Usage: python -m tests.deploy.compose_env PATH [NAME=VALUE …]
"""

from __future__ import annotations

import base64
import secrets
import sys
from collections.abc import Mapping
from pathlib import Path

SERVICES = ("learning", "coaching", "fidelity", "certification")


def base64_password() -> str:
    """32 random bytes in standard base64, redrawn until `/` or `+` appears (nearly always)."""
    while True:
        value = base64.b64encode(secrets.token_bytes(32)).decode()
        if "/" in value or "+" in value:
            return value


def compose_secrets() -> dict[str, str]:
    values = {"POSTGRES_PASSWORD": base64_password(), "JWT_SECRET": secrets.token_urlsafe(48)}
    for service in SERVICES:
        values[f"{service.upper()}_DB_PASSWORD"] = base64_password()
        values[f"{service.upper()}_NATS_PASSWORD"] = secrets.token_urlsafe(24)
    values["DEMO_AGENCY_NATS_PASSWORD"] = secrets.token_urlsafe(24)
    values["CREDENTIAL_KEY_SECRET"] = secrets.token_urlsafe(48)  # signing keys at rest
    return values


def write_env_file(path: Path, values: Mapping[str, str]) -> None:
    """Single-quoted values (no interpolation), readable by the owner only."""
    lines = [f"{name}='{value}'" for name, value in values.items()]
    path.touch(mode=0o600)
    path.write_text("\n".join(lines) + "\n")


def read_env_file(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text().splitlines():
        name, _, value = line.partition("=")
        values[name.strip()] = value.strip().strip("'")
    return values


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    extra = dict(arg.split("=", 1) for arg in argv[1:])
    write_env_file(Path(argv[0]), {**compose_secrets(), **extra})
    print(f"wrote {argv[0]} (random secrets; keep it private)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
