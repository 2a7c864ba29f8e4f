"""NATS server authorization: a user per service, and a user per agency app.

Services may publish only their own subjects (`miiwrap.<service>.>`) and use the
JetStream API. An agency app may read only `miiwrap.certification.<its agency>.>`: live
(core subscription) or durably through a pull consumer that must be named after the
agency and filtered to its subjects — JetStream's create subject carries the consumer
name and the filter, so the permission pins both. Its inbox prefix is its own
(`_INBOX_<agency>`), so it cannot read other clients' replies.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping

SERVICES = ("learning", "coaching", "fidelity", "certification")


def agency_inbox_prefix(agency_id: str) -> str:
    return f"_INBOX_{agency_id}"


def service_user(service: str, password: str, subject_root: str = "miiwrap") -> dict[str, object]:
    return {
        "user": service,
        "password": password,
        "permissions": {
            "publish": {"allow": [f"{subject_root}.{service}.>", "$JS.API.>", "$JS.ACK.>"]},
            "subscribe": {"allow": ["_INBOX.>"]},
        },
    }


def agency_app_user(
    agency_id: str, password: str, subject_root: str = "miiwrap"
) -> dict[str, object]:
    stream = f"{subject_root}_certification".upper()
    subjects = f"{subject_root}.certification.{agency_id}.>"
    return {
        "user": f"app-{agency_id}",
        "password": password,
        "permissions": {
            "publish": {
                "allow": [
                    f"$JS.API.CONSUMER.CREATE.{stream}.{agency_id}.{subjects}",
                    f"$JS.API.CONSUMER.INFO.{stream}.{agency_id}",
                    f"$JS.API.CONSUMER.MSG.NEXT.{stream}.{agency_id}",
                    f"$JS.ACK.{stream}.{agency_id}.>",
                ]
            },
            "subscribe": {"allow": [subjects, f"{agency_inbox_prefix(agency_id)}.>"]},
        },
    }


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


def env_placeholders(names: Iterable[str]) -> dict[str, str]:
    """`$NAME_NATS_PASSWORD` references, resolved by nats-server from the environment."""
    return {n: f"${n.upper().replace('-', '_')}_NATS_PASSWORD" for n in names}
