"""The NATS server configuration of the whole system: a user per service and per agency app.

`python -m system.nats_config demo-agency other-agency > deploy/nats/nats-server.conf`
writes the deployed file with passwords as environment variable references; `make run
--secure-nats` writes one with generated passwords. The permissions of each user are the
kernel's (`shared.nats_auth`).
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Mapping

from shared.nats_auth import agency_app_user, env_placeholders, service_user
from system.topology import SERVICES


def render_config(
    service_passwords: Mapping[str, str],
    agency_passwords: Mapping[str, str],
    subject_root: str = "miiwrap",
) -> str:
    """A nats-server configuration (JSON is valid NATS config syntax)."""
    users: list[dict[str, object]] = [
        service_user(s, service_passwords[s], subject_root) for s in SERVICES
    ]
    users += [agency_app_user(a, p, subject_root) for a, p in sorted(agency_passwords.items())]
    config = {"accounts": {"MIIWRAP": {"jetstream": "enabled", "users": users}}}
    text = json.dumps(config, indent=2) + "\n"
    # a variable reference is only resolved unquoted: "$X_NATS_PASSWORD" → $X_NATS_PASSWORD
    return re.sub(r'"(\$[A-Z0-9_]+_NATS_PASSWORD)"', r"\1", text)


if __name__ == "__main__":
    agencies = sys.argv[1:] or ["demo-agency"]
    sys.stdout.write(render_config(env_placeholders(SERVICES), env_placeholders(agencies)))
