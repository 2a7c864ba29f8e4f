"""The layout every service shares, and the direction of the imports between the layers.

Pure: it reads the source tree and parses it (`ast`), imports nothing it checks and
starts no server. It fails when a service lacks a part of the one skeleton, when the
kernel (`shared/`) imports a service or the system above them, when a service imports
another service or the system, and when the import graph has a cycle.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("shared", "services", "system")

# The one skeleton (docs/building-a-service.md): every service has all of it.
SKELETON_PACKAGES = ("domain", "handlers", "adapters", "entrypoints", "models")
SKELETON_MODULES = ("bootstrap.py", "config.py", "permissions.py", "README.md")
SKELETON_FILES = (
    "domain/events.py",  # the events it owns, and their registry
    "adapters/schema.py",  # its tables (the migrations)
    "entrypoints/api.py",  # its routers
)
# What a service may hold at its root besides the skeleton: a protocol it serves whole.
ROOT_EXTRAS: dict[str, set[str]] = {"learning": {"xapi"}}
# Processes that own no events and no tables (the portal, a backend-for-frontend over
# the four services' public APIs): they have the skeleton without the store's files.
STORELESS = {"portal"}
STORE_FILES = ("domain/events.py", "adapters/schema.py")


def service_names() -> list[str]:
    return sorted(p.name for p in (ROOT / "services").iterdir() if (p / "__init__.py").exists())


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def source_files() -> Iterator[Path]:
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "__pycache__" not in path.parts:
                yield path


def imported_modules(path: Path, known: set[str]) -> set[str]:
    """The project modules `path` imports (also under TYPE_CHECKING), and their packages."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    targets = {m for m in found if m in known}
    # importing a.b.c runs a/__init__ and a/b/__init__ first
    for target in list(targets):
        parts = target.split(".")
        targets.update(
            ".".join(parts[:i]) for i in range(1, len(parts)) if ".".join(parts[:i]) in known
        )
    targets.discard(name)
    return {t for t in targets if not name.startswith(t + ".")}


def import_graph() -> dict[str, set[str]]:
    files = list(source_files())
    known = {module_name(f) for f in files}
    return {module_name(f): imported_modules(f, known) for f in files}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


@pytest.mark.parametrize("service", service_names())
def test_every_service_has_the_one_skeleton(service: str) -> None:
    root = ROOT / "services" / service
    missing = [p for p in SKELETON_PACKAGES if not (root / p / "__init__.py").is_file()]
    files = [f for f in SKELETON_FILES if service not in STORELESS or f not in STORE_FILES]
    missing += [m for m in (*SKELETON_MODULES, *files) if not (root / m).is_file()]
    assert not missing, f"services/{service} lacks {missing} (docs/building-a-service.md)"


@pytest.mark.parametrize("service", service_names())
def test_no_service_holds_parts_outside_the_skeleton(service: str) -> None:
    allowed = {*SKELETON_PACKAGES, *SKELETON_MODULES, "__init__.py", "__pycache__"}
    allowed |= ROOT_EXTRAS.get(service, set())
    extra = sorted(p.name for p in (ROOT / "services" / service).iterdir())
    extra = [name for name in extra if name not in allowed]
    assert not extra, f"services/{service} has {extra} beside the skeleton; move them into it"


def test_the_kernel_imports_no_service_and_not_the_system() -> None:
    wrong = {
        module: sorted(t for t in targets if t.split(".")[0] in {"services", "system"})
        for module, targets in import_graph().items()
        if module.split(".")[0] == "shared"
    }
    assert not {m: t for m, t in wrong.items() if t}, "shared/ is the kernel alone"


def test_a_service_imports_no_other_service_and_not_the_system() -> None:
    wrong: dict[str, list[str]] = {}
    for module, targets in import_graph().items():
        parts = module.split(".")
        if parts[0] != "services" or len(parts) < 2:
            continue
        outside = [
            t
            for t in targets
            if t.split(".")[0] == "system"
            or (t.split(".")[0] == "services" and t.count(".") and t.split(".")[1] != parts[1])
        ]
        if outside:
            wrong[module] = sorted(outside)
    assert not wrong, "services talk through events, and the system sits above them"


@pytest.mark.parametrize("service", sorted(STORELESS))
def test_a_storeless_process_owns_no_events_and_no_tables(service: str) -> None:
    root = ROOT / "services" / service
    held = [f for f in STORE_FILES if (root / f).exists()]
    assert not held, f"services/{service} owns no events or tables, yet has {held}"
    storage = {"shared.eventstore", "shared.database", "shared.relay", "shared.consumer", "asyncpg"}
    for module, targets in import_graph().items():
        if module.startswith(f"services.{service}"):
            assert not targets & storage, f"{module} reaches for a store: {targets & storage}"


def test_the_import_graph_has_no_cycle() -> None:
    assert cycles(import_graph()) == []


def test_the_cycle_check_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
