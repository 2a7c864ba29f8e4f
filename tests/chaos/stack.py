"""The system under fault: PostgreSQL, NATS JetStream and N uvicorn replicas per service.

Everything is a child process of ours on loopback, on free ports, with its data in a
temporary directory, started with `dies_with_parent` so a killed driver leaves nothing
behind. Faults are plain process operations: kill -9 a replica, stop NATS, restart
PostgreSQL with SIGINT (fast shutdown) on the same data directory and port, or kill the
whole stack with SIGKILL and start it again.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from shared.servers import NatsServer, PostgresServer, dies_with_parent, free_port
from system.devstack import UVICORN_HARDENING

SERVICES = ("learning", "coaching", "fidelity", "certification")
UPSTREAM = ("learning", "coaching", "fidelity")
DATABASE = "miiwrap_chaos"
SUBJECT_ROOT = "chaos"
AGENCY = "chaos-agency"
REPO_ROOT = Path(__file__).resolve().parents[2]


def schema_of(service: str) -> str:
    return f"chaos_{service}"


def stream_of(service: str) -> str:
    return f"{SUBJECT_ROOT}_{service}".upper()


@dataclass
class Replica:
    service: str
    index: int
    port: int
    log_path: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def name(self) -> str:
        return f"{self.service}-{self.index}"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


@dataclass
class Stack:
    """One machine's worth of the system, owned by this process."""

    replicas_per_service: int = 1
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="miiwrap-chaos-")))
    keep: bool = False
    jwt_secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    replicas: dict[str, list[Replica]] = field(default_factory=dict)
    workers: int = 1  # uvicorn worker processes per replica (each one a replica itself)

    def __post_init__(self) -> None:
        self.root.chmod(0o755)  # PostgreSQL runs as its own user under root
        (self.root / "logs").mkdir(exist_ok=True)
        self.postgres = PostgresServer(self.root / "pgdata")
        self.nats = NatsServer(self.root / "nats", log_file=self.root / "logs" / "nats.log")
        for service in SERVICES:
            self.replicas[service] = [
                Replica(service, i, free_port(), self.root / "logs" / f"{service}-{i}.log")
                for i in range(self.replicas_per_service)
            ]

    @property
    def database_url(self) -> str:
        return self.postgres.dsn(DATABASE)

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        for service in SERVICES:
            prefix = service.upper()
            env[f"{prefix}_DATABASE_URL"] = self.database_url
            env[f"{prefix}_NATS_URL"] = self.nats.url
            env[f"{prefix}_JWT_SECRET"] = self.jwt_secret
            env[f"{prefix}_DB_SCHEMA"] = schema_of(service)
            env[f"{prefix}_SUBJECT_ROOT"] = SUBJECT_ROOT
            env[f"{prefix}_RELAY_POLL_INTERVAL_SECONDS"] = "0.5"
            env[f"{prefix}_DB_POOL_MAX"] = "8"
            env[f"{prefix}_STREAM_PARTITIONS"] = "4"  # two replicas share the partitions
        env["LEARNING_LAPSE_CHECK_INTERVAL_SECONDS"] = "0"  # no lapses in the middle of a run
        return env

    # servers ---------------------------------------------------------------------------

    def start_servers(self) -> None:
        self.start_postgres()
        self.postgres.create_database(DATABASE)
        self.nats.start()

    def start_postgres(self, attempts: int = 5) -> None:
        """Start on the same data directory and port; after a kill -9 the old backends
        may need a moment to notice and release the shared memory."""
        for attempt in range(attempts):
            try:
                self.postgres.start(timeout=30)  # fsync and synchronous commit stay on
                return
            except (RuntimeError, TimeoutError):
                self.postgres.kill()
                if attempt == attempts - 1:
                    raise
                time.sleep(1.0 + attempt)

    # services --------------------------------------------------------------------------

    def start_replica(self, replica: Replica) -> None:
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            f"services.{replica.service}.bootstrap:create_service_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(replica.port),
            "--log-level",
            "warning",
            *UVICORN_HARDENING,  # the server the services run on everywhere else
            *(["--workers", str(self.workers)] if self.workers > 1 else []),
        ]
        with replica.log_path.open("ab") as log:
            log.write(f"\n=== start {replica.name} at {time.strftime('%X')} ===\n".encode())
            log.flush()
            replica.process = subprocess.Popen(
                command,
                env=self.environment(),
                cwd=REPO_ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=dies_with_parent(signal.SIGKILL),
            )

    def start_services(self, timeout: float = 90.0) -> None:
        # certification first: it creates nothing the others need, but its consumers
        # then bind while the upstream streams are created by whoever comes first
        for service in SERVICES:
            for replica in self.replicas[service]:
                self.start_replica(replica)
        self.wait_ready(self.all_replicas(), timeout)

    def all_replicas(self) -> list[Replica]:
        return [r for service in SERVICES for r in self.replicas[service]]

    def wait_ready(self, replicas: list[Replica], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        waiting = list(replicas)
        while waiting:
            for replica in list(waiting):
                if replica.process is None or replica.process.poll() is not None:
                    raise RuntimeError(f"{replica.name} exited; see {replica.log_path}")
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(f"{replica.url}/readyz", timeout=1).status_code == 200:
                        waiting.remove(replica)
            if waiting and time.monotonic() > deadline:
                names = [r.name for r in waiting]
                raise TimeoutError(f"not ready after {timeout}s: {names} (logs in {self.root})")
            time.sleep(0.2)

    def kill_replica(self, replica: Replica) -> None:
        if replica.process is not None and replica.process.poll() is None:
            replica.process.send_signal(signal.SIGKILL)
            replica.process.wait(10)

    def stop_replica(self, replica: Replica) -> None:
        if replica.process is not None and replica.process.poll() is None:
            replica.process.send_signal(signal.SIGTERM)
            try:
                replica.process.wait(15)
            except subprocess.TimeoutExpired:
                replica.process.kill()
                replica.process.wait(5)

    def restart_services(self, timeout: float = 90.0) -> None:
        for replica in self.all_replicas():
            self.stop_replica(replica)
        self.start_services(timeout)

    # the whole stack -------------------------------------------------------------------

    def kill_all(self) -> None:
        """kill -9 of every process: services, NATS and PostgreSQL."""
        for replica in self.all_replicas():
            if replica.process is not None and replica.process.poll() is None:
                replica.process.send_signal(signal.SIGKILL)
        self.nats.kill()
        self.postgres.kill()
        for replica in self.all_replicas():
            if replica.process is not None:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    replica.process.wait(10)

    def stop(self) -> None:
        for replica in self.all_replicas():
            self.stop_replica(replica)
        self.nats.stop()
        self.postgres.stop()
        if not self.keep:
            shutil.rmtree(self.root, ignore_errors=True)

    def dead_replicas(self) -> list[str]:
        """Replicas that exited on their own (none should, whatever the fault)."""
        return [r.name for r in self.all_replicas() if r.process is not None and not r.running]

    def log_sizes(self) -> dict[str, int]:
        return {
            r.name: r.log_path.stat().st_size if r.log_path.exists() else 0
            for r in self.all_replicas()
        }

    def log_lines(self, needle: str, since: dict[str, int] | None = None) -> dict[str, int]:
        """How many lines of each service log (after offset `since`) mention `needle`."""
        counts: dict[str, int] = {}
        for replica in self.all_replicas():
            if replica.log_path.exists():
                with replica.log_path.open("rb") as log:
                    log.seek((since or {}).get(replica.name, 0))
                    text = log.read().decode(errors="replace")
                counts[replica.name] = sum(needle in line for line in text.splitlines())
        return counts
