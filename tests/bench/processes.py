"""The benchmark's own stack: PostgreSQL, NATS and each service as its own uvicorn process.

Every service runs as `make run` runs it (`system.devstack.uvicorn_command`), so the
resident memory read from /proc and the time to a 200 from `/readyz` are the service's
own. Everything is a child of the benchmark, started with `dies_with_parent`.
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

from shared.servers import NatsServer, PostgresServer, dies_with_parent, free_port
from system.devstack import UVICORN_HARDENING, uvicorn_command, wait_until_ready, worker_options
from system.topology import SERVICES

DATABASE = "bench"
SUBJECT_ROOT = "bench"
REPO_ROOT = Path(__file__).resolve().parents[2]


def py_spy_command() -> str:
    """The py-spy to record profiles with: the one installed beside this interpreter
    (`.venv/bin`, where `pip install py-spy` puts it) before any on the PATH; it is not a
    project dependency, so its absence is said plainly."""
    found = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")
    if found is None:
        raise SystemExit("--profile needs py-spy: .venv/bin/pip install py-spy")
    return found


def schema_of(service: str) -> str:
    return f"bench_{service}"


@dataclass
class Process:
    """One uvicorn process: a service, or the bare endpoint."""

    name: str
    command: list[str]
    log_path: Path
    port: int
    child: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, env: dict[str, str]) -> None:
        with self.log_path.open("ab") as log:
            self.child = subprocess.Popen(
                self.command,
                env=env,
                cwd=REPO_ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=dies_with_parent(signal.SIGTERM),
            )

    def wait_ready(self, timeout: float = 120.0) -> float:
        assert self.child is not None
        return wait_until_ready(
            {self.name: self.port}, {self.name: self.child}, timeout, str(self.log_path)
        )[self.name]

    def stop(self) -> None:
        if self.child is None or self.child.poll() is not None:
            return
        self.child.terminate()
        try:
            self.child.wait(20)
        except subprocess.TimeoutExpired:
            self.child.kill()
            self.child.wait(5)

    def pids(self) -> list[int]:
        """The process and all its descendants (`uvicorn --workers N`: N worker processes)."""
        assert self.child is not None
        found, pending = [], [self.child.pid]
        while pending:
            pid = pending.pop()
            found.append(pid)
            with contextlib.suppress(OSError):
                for task in Path(f"/proc/{pid}/task").iterdir():
                    pending += [int(c) for c in (task / "children").read_text().split()]
        return found

    def cpu_seconds(self) -> float:
        """User + system CPU the process and its descendants have used so far
        (/proc/<pid>/stat): each live one's own, plus what the ones that exited and were
        waited for used (their parent's cutime and cstime). A service's fold workers come
        and go; without the second part a figure taken while one exits would lose the CPU
        it had used before, even below zero."""
        total = 0
        for pid in self.pids():
            with contextlib.suppress(OSError):  # a worker that exited meanwhile
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                utime, stime, cutime, cstime = (int(f) for f in fields[11:15])
                total += utime + stime + cutime + cstime
        return total / os.sysconf("SC_CLK_TCK")

    def rss_mb(self) -> float:
        """Resident memory of the process and its workers (VmRSS summed), in MB."""
        total = 0
        for pid in self.pids():
            with contextlib.suppress(OSError):
                status = Path(f"/proc/{pid}/status").read_text()
                total += sum(
                    int(line.split()[1])
                    for line in status.splitlines()
                    if line.startswith("VmRSS:")
                )
        if not total:
            raise RuntimeError(f"no VmRSS for {self.name}")
        return total / 1024


@dataclass
class BenchStack:
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="miiwrap-bench-")))
    secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    services: dict[str, Process] = field(default_factory=dict)
    # uvicorn worker processes of each service, and of the bare endpoint alike
    workers: int = 1

    def __post_init__(self) -> None:
        self.root.chmod(0o755)  # PostgreSQL runs as its own user under root
        self.logs = self.root / "logs"
        self.logs.mkdir(exist_ok=True)
        self.postgres = PostgresServer(self.root / "pgdata")
        self.nats = NatsServer(self.root / "nats", log_file=self.logs / "nats.log")
        for name in SERVICES:
            port = free_port()
            self.services[name] = Process(
                name, uvicorn_command(name, port, self.workers), self.logs / f"{name}.log", port
            )
        bare_port = free_port()
        self.bare = Process(
            "bare",
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                "tests.bench.bare_endpoint:create_app",
                "--host",
                "127.0.0.1",
                "--port",
                str(bare_port),
                "--log-level",
                "warning",
                *UVICORN_HARDENING,
                *worker_options(self.workers),
            ],
            self.logs / "bare.log",
            bare_port,
        )

    @property
    def database_url(self) -> str:
        return self.postgres.dsn(DATABASE)

    def start_servers(self) -> None:
        # durable settings (fsync, synchronous commit), as in production
        self.postgres.start()
        self.postgres.create_database(DATABASE)
        self.nats.start()

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        for name in SERVICES:
            prefix = name.upper()
            env |= {
                f"{prefix}_DATABASE_URL": self.database_url,
                f"{prefix}_NATS_URL": self.nats.url,
                f"{prefix}_DB_SCHEMA": schema_of(name),
                f"{prefix}_SUBJECT_ROOT": SUBJECT_ROOT,
                f"{prefix}_JWT_SECRET": self.secret,
                f"{prefix}_ENVIRONMENT": "test",
                f"{prefix}_LOG_LEVEL": "WARNING",
            }
        env["BARE_DATABASE_URL"] = self.database_url
        return env

    def postgres_cpu_seconds(self) -> float:
        return postgres_cpu_of(self.postgres.data_dir)

    def start_services(self) -> dict[str, float]:
        """Start every service; seconds until each answered /readyz."""
        for process in self.services.values():
            process.start(self.environment())
        started = time.monotonic()
        for process in self.services.values():
            process.wait_ready()
        return {name: time.monotonic() - started for name in self.services}

    def restart(self, name: str) -> float:
        """Stop a service and start it again on the same data: seconds to /readyz 200."""
        process = self.services[name]
        process.stop()
        process.start(self.environment())
        return process.wait_ready()

    def stop(self) -> None:
        for process in [*self.services.values(), self.bare]:
            process.stop()
        self.nats.stop()
        self.postgres.stop()


def postgres_cpu_of(data_dir: Path) -> float:
    """User + system CPU the PostgreSQL of `data_dir` has used so far: the postmaster, its
    live processes (backends, autovacuum, checkpointer ...) and those it reaped."""
    postmaster = int((data_dir / "postmaster.pid").read_text().split()[0])
    pids = [postmaster]
    for task in Path(f"/proc/{postmaster}/task").iterdir():
        pids += [int(child) for child in (task / "children").read_text().split()]
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):  # a backend that exited meanwhile
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += sum(int(f) for f in fields[11:15])
    return total / os.sysconf("SC_CLK_TCK")
