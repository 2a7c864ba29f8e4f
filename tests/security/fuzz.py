"""Fuzz every service's OpenAPI with schemathesis against the services running for real.

The four services run under uvicorn (as in production) on free ports, against a real
PostgreSQL and NATS, each in a schema and subject root of its own; schemathesis sends
generated requests as an agency admin and checks: no 5xx, and every response conforms
to the schema its operation documents. `fuzz_hooks` turns a share of the generated
requests hostile (deep nesting, crafted cursors, extreme datetimes, hostile unicode).

`python -m tests.security.fuzz --examples 50` (what `make fuzz` runs) starts its own
servers; the test suite calls `fuzz_services` with the harness servers and few examples.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from shared.auth import issue_token, signing_settings
from shared.servers import NatsServer, PostgresServer, dies_with_parent, free_port
from system.devstack import uvicorn_command, wait_until_ready

SERVICES = ("learning", "coaching", "fidelity", "certification")
CHECKS = "not_a_server_error,response_schema_conformance"
FUZZ_AGENCY = "fuzz-agency"
REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class FuzzResult:
    service: str
    returncode: int
    operations: int
    cases: int
    passed: int
    output: str


@contextmanager
def running_services(database_url: str, nats_url: str, secret: str) -> Iterator[dict[str, int]]:
    root = "fz" + uuid.uuid4().hex[:8]
    ports = {name: free_port() for name in SERVICES}
    env = dict(os.environ)
    for name in SERVICES:
        prefix = name.upper()
        env |= {
            f"{prefix}_DATABASE_URL": database_url,
            f"{prefix}_NATS_URL": nats_url,
            f"{prefix}_DB_SCHEMA": f"{root}_{name}",
            f"{prefix}_SUBJECT_ROOT": root,
            f"{prefix}_JWT_SECRET": secret,
            f"{prefix}_ENVIRONMENT": "test",
        }
    # portable credentials on, so their public routes are fuzzed past "not enabled"
    env["CERTIFICATION_PUBLIC_URL"] = "https://certs.example.org/miiwrap"
    children = [
        subprocess.Popen(
            uvicorn_command(name, port),
            preexec_fn=dies_with_parent(signal.SIGTERM),
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for name, port in ports.items()
    ]
    try:
        wait_until_ready(ports, dict(zip(ports, children, strict=True)), 60)
        yield ports
    finally:
        for child in children:
            child.terminate()
        for child in children:
            try:
                child.wait(15)
            except subprocess.TimeoutExpired:
                child.kill()


def _count(pattern: str, text: str) -> int:
    match = re.search(pattern, text)
    return int(match.group(1)) if match else 0


def fuzz(service: str, port: int, token: str, examples: int, seed: int) -> FuzzResult:
    binary = Path(sys.executable).parent / "schemathesis"
    completed = subprocess.run(
        [
            str(binary),
            "run",
            f"http://127.0.0.1:{port}/openapi.json",
            "-H",
            f"Authorization: Bearer {token}",
            "--max-examples",
            str(examples),
            "--checks",
            CHECKS,
            "--seed",
            str(seed),
            "--request-timeout",
            "20",
            "--warnings",
            "off",
        ],
        capture_output=True,
        text=True,
        timeout=1800,
        env=dict(
            os.environ,
            NO_COLOR="1",
            SCHEMATHESIS_TELEMETRY="false",
            # hostile strategies on top of the schema's: deep nesting, crafted cursors,
            # extreme datetimes, hostile unicode (tests/security/fuzz_hooks.py)
            SCHEMATHESIS_HOOKS="tests.security.fuzz_hooks",
            PYTHONPATH=os.pathsep.join(
                filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])
            ),
        ),
    )
    output = completed.stdout + completed.stderr
    return FuzzResult(
        service=service,
        returncode=completed.returncode,
        operations=_count(r"Tested:\s+(\d+)", output),
        cases=_count(r"(\d+) generated", output),
        passed=_count(r"\d+ generated, (\d+) passed", output),
        output=output,
    )


def fuzz_services(
    database_url: str, nats_url: str, examples: int, seed: int = 1
) -> list[FuzzResult]:
    secret = uuid.uuid4().hex * 2
    token = issue_token(
        signing_settings(secret), subject="fuzz-admin", agency_id=FUZZ_AGENCY, roles=["admin"]
    )
    with running_services(database_url, nats_url, secret) as ports:
        return [fuzz(name, port, token, examples, seed) for name, port in ports.items()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="miiwrap-fuzz-") as tmp:
        workdir = Path(tmp)
        workdir.chmod(0o755)
        postgres = PostgresServer(workdir / "pgdata")
        postgres.start(fast_unsafe=True)
        postgres.create_database("fuzz")
        nats = NatsServer(workdir / "nats")
        nats.start()
        try:
            started = time.monotonic()
            results = fuzz_services(postgres.dsn("fuzz"), nats.url, args.examples, args.seed)
        finally:
            nats.stop()
            postgres.stop()
    for result in results:
        status = "ok" if result.returncode == 0 else "FAILED"
        print(
            f"{result.service:<14} {status:<7} operations {result.operations:>3}  "
            f"cases {result.cases:>6}  passed {result.passed:>6}"
        )
        if result.returncode != 0:
            print(result.output)
    total = sum(r.cases for r in results)
    print(f"{total} cases in {time.monotonic() - started:.0f}s, max {args.examples} per operation")
    return 0 if all(r.returncode == 0 for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
