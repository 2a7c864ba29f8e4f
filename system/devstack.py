"""`make run`: PostgreSQL, NATS JetStream and the four services on one machine.

A small supervisor: it starts the servers from their PyPI packages with data under
`.data/` (kept across runs), starts each service under uvicorn on its fixed port, waits
until every `/readyz` answers 200, and on Ctrl-C (or any child dying) stops the services
and then the servers, so nothing is left orphaned.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import BinaryIO

from shared.servers import NatsServer, PostgresServer, dies_with_parent
from system.demo import print_banner, seed_demo, seed_history
from system.demo_history.personas import portal_identities
from system.local_data import (
    DEMO_AGENCY,
    DEMO_XAPI_KEY,
    demo_xapi_secret,
    local_jwt_secret,
    nats_passwords,
    portal_session_secret,
)
from system.nats_config import write_local_config
from system.topology import PORTAL_PORT, PORTAL_URL, SERVICE_PORTS

# the four services and the portal, each under uvicorn on its fixed port
PROCESS_PORTS = {**SERVICE_PORTS, "portal": PORTAL_PORT}
POSTGRES_PORT = 54329
NATS_PORT = 4222
DATABASE = "miiwrap"


# uvicorn's options the services run with: no `server` banner, no access log of its own
# (the kernel writes one line per request, with the request id); the httptools parser (C)
# under the kernel's protocol, whose limit on a request's head (431) keeps an oversized
# header out of memory, on uvloop; idle keep-alive connections are kept longer than clients
# and load balancers keep theirs (httpx: 5 s, cloud load balancers: 60 s), so a client
# never sends on a connection the server is closing
KEEP_ALIVE_SECONDS = 65
HTTP_PROTOCOL = "shared.http_protocol:HeadLimitedHttpToolsProtocol"
UVICORN_HARDENING = [
    "--no-server-header",
    "--timeout-keep-alive",
    str(KEEP_ALIVE_SECONDS),
    "--no-access-log",
    "--http",
    HTTP_PROTOCOL,
    "--loop",
    "uvloop",
]


def worker_options(workers: int) -> list[str]:
    """`--workers N` for more than one worker process (they share the consumers' partitions
    and elect one relay leader; `make workers-check`)."""
    return ["--workers", str(workers)] if workers > 1 else []


def uvicorn_command(service: str, port: int, workers: int = 1) -> list[str]:
    """How a service runs: its app factory under uvicorn, on loopback."""
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        f"services.{service}.bootstrap:create_service_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "info",  # the kernel's access line per request (request and trace ids) is at INFO
        *UVICORN_HARDENING,
        *worker_options(workers),
    ]


def open_private_log(path: Path) -> BinaryIO:
    """A log file only its owner can read (0600), also when it existed with wider modes."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.fchmod(fd, 0o600)
    return os.fdopen(fd, "ab")


def service_environment(
    data_dir: Path, nats_url: str, database_url: str, secure_nats: bool
) -> dict[str, str]:
    env = dict(os.environ)
    secret = local_jwt_secret(data_dir)
    passwords = nats_passwords(data_dir) if secure_nats else {}
    for name in SERVICE_PORTS:
        prefix = name.upper()
        env[f"{prefix}_DATABASE_URL"] = database_url
        env[f"{prefix}_NATS_URL"] = nats_url
        env[f"{prefix}_JWT_SECRET"] = secret
        if secure_nats:
            env[f"{prefix}_NATS_USER"] = name
            env[f"{prefix}_NATS_PASSWORD"] = passwords[name]
    # portable credentials: the demo's agencies issue them under certification's own URL
    env.setdefault("CERTIFICATION_PUBLIC_URL", f"http://127.0.0.1:{SERVICE_PORTS['certification']}")
    env["LEARNING_DEMO_XAPI_KEY"] = DEMO_XAPI_KEY
    env["LEARNING_DEMO_XAPI_SECRET"] = demo_xapi_secret(data_dir)
    env.update(portal_environment(data_dir))
    return env


def portal_environment(data_dir: Path) -> dict[str, str]:
    """The portal signs the demo agency's people in locally, with the services' secret."""
    env = {
        "PORTAL_SIGN_IN": "local",
        "PORTAL_LOCAL_JWT_SECRET": local_jwt_secret(data_dir),
        "PORTAL_LOCAL_AGENCY": DEMO_AGENCY,
        "PORTAL_SESSION_SECRET": portal_session_secret(data_dir),
        # the portal's local sign-in offers people of the seeded demo agency
        "PORTAL_DEMO_IDENTITIES": json.dumps(portal_identities()),
    }
    for name, port in SERVICE_PORTS.items():
        env[f"PORTAL_{name.upper()}_URL"] = f"http://127.0.0.1:{port}"
    return env


@dataclass
class DevStack:
    root: Path
    postgres: PostgresServer = field(init=False)
    nats: NatsServer = field(init=False)
    secure_nats: bool = False
    workers: int = 1  # uvicorn worker processes of each service (the portal runs one)
    children: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    stopping: bool = False

    def __post_init__(self) -> None:
        self.data_dir = self.root / ".data"
        self.data_dir.mkdir(exist_ok=True)
        self.data_dir.chmod(0o755)
        self.postgres = PostgresServer(self.data_dir / "postgres", port=POSTGRES_PORT)
        self.nats = NatsServer(self.data_dir / "nats", port=NATS_PORT)
        if self.secure_nats:
            # every local agency's app user; `miiwrap agency create` rewrites it and
            # reloads this server (its pid is in .data/nats/nats-server.pid)
            self.nats.config_file = write_local_config(self.data_dir)

    def start(self) -> None:
        print(f"starting PostgreSQL on 127.0.0.1:{POSTGRES_PORT} (data in .data/postgres)")
        self.postgres.start()
        self.postgres.create_database(DATABASE)
        secured = " with per-service and per-agency users" if self.secure_nats else ""
        print(f"starting NATS JetStream on 127.0.0.1:{NATS_PORT}{secured} (store in .data/nats)")
        self.nats.start()
        env = service_environment(
            self.data_dir, self.nats.url, self.postgres.dsn(DATABASE), self.secure_nats
        )
        for name, port in PROCESS_PORTS.items():
            log = open_private_log(self.data_dir / f"{name}.log")
            self.children[name] = subprocess.Popen(
                uvicorn_command(name, port, self.workers if name in SERVICE_PORTS else 1),
                preexec_fn=dies_with_parent(signal.SIGTERM),
                # Ctrl-C reaches this supervisor only, which stops the services and then
                # the servers in order (a database gone first fills the logs with errors)
                start_new_session=True,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.root,
            )
            log.close()

    def wait_ready(self, timeout: float = 60.0) -> dict[str, float]:
        return wait_until_ready(PROCESS_PORTS, self.children, timeout, logs=".data/<service>.log")

    def check_children(self) -> None:
        for name, child in self.children.items():
            if child.poll() is not None:
                raise RuntimeError(
                    f"{name} exited with code {child.returncode}; see .data/{name}.log"
                )

    def stop(self) -> None:
        self.stopping = True
        for child in self.children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in self.children.values():
            try:
                child.wait(15)
            except subprocess.TimeoutExpired:
                child.kill()
        self.nats.stop()
        self.postgres.stop()


def wait_until_ready(
    ports: Mapping[str, int],
    children: Mapping[str, subprocess.Popen[bytes]],
    timeout: float,
    logs: str = "its log",
) -> dict[str, float]:
    """Seconds until each service's /readyz answered 200; fails if one exits or times out."""
    started = time.monotonic()
    ready: dict[str, float] = {}
    while len(ready) < len(ports):
        for name, child in children.items():
            if child.poll() is not None:
                raise RuntimeError(f"{name} exited with code {child.returncode}; see {logs}")
        for name, port in ports.items():
            if name not in ready and _is_ready(port):
                ready[name] = time.monotonic() - started
        if time.monotonic() - started > timeout:
            missing = sorted(set(ports) - set(ready))
            raise TimeoutError(f"not ready after {timeout}s: {missing}; see {logs}")
        time.sleep(0.2)
    return ready


def _is_ready(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def run(root: Path, secure_nats: bool = False, workers: int = 1) -> int:
    stack = DevStack(root, secure_nats=secure_nats, workers=max(1, workers))

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    # SIGINT too: a shell without job control starts background jobs with it ignored
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    started = time.monotonic()
    print(f"MiiWrap portal: {PORTAL_URL}  (starting PostgreSQL, NATS and the services …)")
    try:
        stack.start()
        ready = stack.wait_ready()
        seed = seed_demo(stack.data_dir)
        history = seed_history(stack.data_dir)
        print(f"\nMiiWrap portal: {PORTAL_URL}  (sign in as one of the demo agency's people)")
        print_banner(ready, time.monotonic() - started, seed, history)
        print(
            f"\nDemo LMS credential (xAPI, HTTP Basic) of '{DEMO_AGENCY}': "
            f"{DEMO_XAPI_KEY} / {demo_xapi_secret(stack.data_dir)}\n"
            f"  http://127.0.0.1:{SERVICE_PORTS['learning']}/xapi/statements"
            "  (header X-Experience-API-Version: 1.0.3)"
        )
        if secure_nats:
            password = nats_passwords(stack.data_dir)[f"app-{DEMO_AGENCY}"]
            print(f"\nNATS user for the demo agency's app: app-{DEMO_AGENCY} / {password}")
        while True:
            stack.check_children()
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("\nstopping services, NATS and PostgreSQL …")
        return 0
    except (RuntimeError, TimeoutError) as error:
        print(f"\nmake run failed: {error}", file=sys.stderr)
        return 1
    finally:
        stack.stop()
        print("stopped.")
