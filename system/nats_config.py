"""The NATS server configuration of the whole system: a user per service and per agency app.

`python -m system.nats_config demo-agency other-agency > deploy/nats/nats-server.conf`
(with `MIIWRAP_STREAM_PARTITIONS` = the streams' partition count, default 1) writes the
deployed file with passwords as environment variable references; `make run --secure-nats`
writes one with generated passwords. The permissions of each user are the
kernel's (`shared.nats_auth`).
"""

from __future__ import annotations

import json
import os
import re
import signal
import sys
from collections.abc import Mapping
from pathlib import Path

from shared.nats_auth import (
    OwnedConsumer,
    agency_app_user,
    consumer_name,
    env_placeholders,
    service_user,
)
from shared.partition_subjects import partition_durable, partition_filter, published_filter
from system.local_data import local_agencies, nats_passwords
from system.topology import CONSUMERS, SERVICES


def owned_consumers(
    service: str,
    subject_root: str = "miiwrap",
    schemas: Mapping[str, str] | None = None,
    partitions: int = 1,
) -> list[OwnedConsumer]:
    """The consumers `service` owns, named as the service names them (schema = service
    name unless the deployment sets another): each group's durable (a stream without
    partitions) and the durable of each of its partitions (shared/partitions.py)."""
    schema = (schemas or {}).get(service, service)
    owned: list[OwnedConsumer] = []
    for upstream, label, filter_subject in CONSUMERS.get(service, []):
        stream = f"{subject_root}_{upstream}".upper()
        durable = consumer_name(service, schema, label)
        pattern = f"{subject_root}.{filter_subject}"
        owned.append(OwnedConsumer(stream, durable, published_filter(pattern)))
        owned += [
            OwnedConsumer(stream, partition_durable(durable, p), partition_filter(pattern, p))
            for p in range(partitions)
        ]
    return owned


def render_config(
    service_passwords: Mapping[str, str],
    agency_passwords: Mapping[str, str],
    subject_root: str = "miiwrap",
    schemas: Mapping[str, str] | None = None,
    partitions: int = 1,
) -> str:
    """A nats-server configuration (JSON is valid NATS config syntax); `partitions` is
    the streams' partition count (the services' `*_STREAM_PARTITIONS`)."""
    users: list[dict[str, object]] = [
        service_user(
            s,
            service_passwords[s],
            subject_root,
            owned_consumers(s, subject_root, schemas, partitions),
        )
        for s in SERVICES
    ]
    users += [agency_app_user(a, p, subject_root) for a, p in sorted(agency_passwords.items())]
    config = {"accounts": {"MIIWRAP": {"jetstream": "enabled", "users": users}}}
    text = json.dumps(config, indent=2) + "\n"
    # a variable reference is only resolved unquoted: "$X_NATS_PASSWORD" → $X_NATS_PASSWORD
    return re.sub(r'"(\$[A-Z0-9_]+_NATS_PASSWORD)"', r"\1", text)


def write_local_config(data_dir: Path) -> Path:
    """`.data/nats-server.conf` of `make run-secure`: every service, and an app user for
    every local agency (`.data/agencies.json`), with the passwords kept in `.data/`."""
    passwords = nats_passwords(data_dir)
    config = data_dir / "nats-server.conf"
    rendered = render_config(
        {s: passwords[s] for s in SERVICES},
        {a: passwords[f"app-{a}"] for a in local_agencies(data_dir)},
    )
    temporary = config.with_suffix(".tmp")
    temporary.write_text(rendered)
    temporary.chmod(0o600)
    temporary.replace(config)  # a reload never reads a half-written file
    return config


class NatsNotRunning(RuntimeError):
    """No nats-server to reload: the pid file is missing or names no nats-server."""


def reload_nats_server(pid_file: Path) -> int:
    """Ask the nats-server whose pid `pid_file` holds to reload its configuration
    (SIGHUP, as `nats-server --signal reload` does): new users apply, nothing restarts.
    Returns the pid signalled."""
    try:
        pid = int(pid_file.read_text().strip())
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError) as error:
        raise NatsNotRunning(f"no running nats-server found through {pid_file}") from error
    if b"nats-server" not in command:
        raise NatsNotRunning(f"process {pid} of {pid_file} is not a nats-server")
    os.kill(pid, signal.SIGHUP)
    return pid


if __name__ == "__main__":
    agencies = sys.argv[1:] or ["demo-agency"]
    partitions = int(os.environ.get("MIIWRAP_STREAM_PARTITIONS", "1"))
    sys.stdout.write(
        render_config(env_placeholders(SERVICES), env_placeholders(agencies), partitions=partitions)
    )
