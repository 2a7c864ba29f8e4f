"""Importing an agency's export folder: each file to its service's `POST /imports`, in order.

The folder holds one NDJSON file per service (see the README, "Importing an agency's
history"): `roster.ndjson` (certification) first, since every other service refuses
evidence for a practitioner not on the roster, then `learning.ndjson`, `coaching.ndjson`
and `fidelity.ndjson`. A real run follows each import's report until it completes; the
other services learn the roster from certification's events a moment later, so lines
refused as not on the roster are sent again for a few seconds. A dry run checks every
file and stores nothing; its evidence lines for practitioners that `roster.ndjson`
registers are counted as awaiting the roster rather than invalid.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

# file name → the service that imports it, in the order they must be imported
EXPORT_FILES: tuple[tuple[str, str], ...] = (
    ("roster.ndjson", "certification"),
    ("learning.ndjson", "learning"),
    ("coaching.ndjson", "coaching"),
    ("fidelity.ndjson", "fidelity"),
)
NDJSON = {"Content-Type": "application/x-ndjson"}
NOT_ON_ROSTER = "/not-on-roster"

Progress = Callable[[str, int, int], None]  # (file name, lines done, lines in the file)


class ImportRefused(Exception):
    """A service refused a whole file (too large, not allowed, unreachable): nothing stored."""


@dataclass
class FileOutcome:
    file: str
    service: str
    import_id: str = ""
    status: str = "completed"
    received: int = 0
    stored: int = 0
    already_present: int = 0
    invalid: int = 0
    awaiting_roster: int = 0  # a dry run: valid once roster.ndjson is imported
    errors: list[dict[str, Any]] = field(default_factory=list)  # invalid lines, by line


def export_files(folder: Path) -> list[tuple[Path, str]]:
    """The folder's files in import order; unknown `.ndjson` files are refused, not skipped."""
    if not folder.is_dir():
        raise ImportRefused(f"{folder} is not a folder")
    known = {name for name, _ in EXPORT_FILES}
    unknown = sorted(p.name for p in folder.glob("*.ndjson") if p.name not in known)
    if unknown:
        raise ImportRefused(
            f"{', '.join(unknown)}: not a file of an export folder; name the files "
            f"{', '.join(name for name, _ in EXPORT_FILES)}"
        )
    found = [(folder / name, service) for name, service in EXPORT_FILES if (folder / name).exists()]
    if not found:
        raise ImportRefused(f"{folder} holds none of {', '.join(n for n, _ in EXPORT_FILES)}")
    return found


async def open_import_window(certification: httpx.AsyncClient, label: str) -> str:
    """Hold certification's publication while the agency's history is imported (agency
    apps hear nothing until it closes); the window's id."""
    response = await certification.post(
        "/import-windows", json={"id": f"import-{uuid.uuid4().hex[:16]}", "label": label}
    )
    if response.status_code not in (200, 201):
        raise ImportRefused(f"certification did not open an import window: {_detail(response)}")
    return str(response.json()["id"])


async def close_import_window(
    certification: httpx.AsyncClient, window_id: str | None, wait_seconds: float = 120.0
) -> None:
    """End the hold: certification waits for the upstream evidence still queued for it,
    then publishes only the net transitions, each with its true effective date."""
    if window_id is None:
        return
    response = await certification.post(
        f"/import-windows/{window_id}/close",
        params={"wait_seconds": wait_seconds},
        timeout=wait_seconds + 60,
    )
    if response.status_code != 200:
        raise ImportRefused(
            f"certification did not close import window {window_id}: {_detail(response)}; "
            f"close it with POST /import-windows/{window_id}/close"
        )


async def import_folder(
    folder: Path,
    clients: Mapping[str, httpx.AsyncClient],
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
    roster_wait_seconds: float = 15.0,
    poll_seconds: float = 0.2,
) -> list[FileOutcome]:
    """Import every file of `folder` through `clients` (one per service, authenticated)."""
    files = export_files(folder)
    registered = _registered_practitioners(folder / "roster.ndjson")
    outcomes = []
    label = f"miiwrap import {folder.name}"[:100]
    window_id = None if dry_run else await open_import_window(clients["certification"], label)
    try:
        for path, service in files:
            lines = [raw for raw in path.read_bytes().split(b"\n")]
            importer = _FileImport(path.name, service, clients[service], progress, poll_seconds)
            if dry_run:
                outcome = await importer.check(lines, registered)
            else:
                outcome = await importer.store(lines, roster_wait_seconds)
            outcomes.append(outcome)
    finally:
        await close_import_window(clients["certification"], window_id)
    return outcomes


def _registered_practitioners(roster: Path) -> set[str]:
    if not roster.exists():
        return set()
    found = set()
    for raw in roster.read_bytes().split(b"\n"):
        try:
            record = json.loads(raw)
        except ValueError:
            continue
        if isinstance(record, dict) and record.get("kind") == "registration":
            found.add(str(record.get("practitioner_id")))
    return found


@dataclass
class _FileImport:
    name: str
    service: str
    client: httpx.AsyncClient
    progress: Progress | None
    poll_seconds: float

    async def check(self, lines: list[bytes], registered: set[str]) -> FileOutcome:
        report = await self._post(b"\n".join(lines), dry_run=True)
        outcome = self._outcome(report, await self._errors(report["id"]))
        waiting = [e for e in outcome.errors if self._awaits_roster(e, lines, registered)]
        outcome.errors = [e for e in outcome.errors if e not in waiting]
        outcome.awaiting_roster, outcome.invalid = len(waiting), outcome.invalid - len(waiting)
        self._report_progress(report["total"], report["total"])
        return outcome

    async def store(self, lines: list[bytes], roster_wait_seconds: float) -> FileOutcome:
        report = await self._follow(await self._post(b"\n".join(lines), dry_run=False))
        outcome = self._outcome(report, await self._errors(report["id"]))
        deadline = asyncio.get_running_loop().time() + roster_wait_seconds
        while asyncio.get_running_loop().time() < deadline:
            waiting = [e for e in outcome.errors if e["problem"]["type"].endswith(NOT_ON_ROSTER)]
            if not waiting:
                break
            await asyncio.sleep(1.0)
            # the same lines again, each at its own line number (blank lines keep the count)
            wanted = {e["line"] for e in waiting}
            again = [raw if n in wanted else b"" for n, raw in enumerate(lines, start=1)]
            retry = await self._follow(await self._post(b"\n".join(again), dry_run=False))
            still = await self._errors(retry["id"])
            outcome.errors = sorted(
                [e for e in outcome.errors if e["line"] not in wanted] + still,
                key=lambda e: int(e["line"]),
            )
            outcome.stored += retry["stored"]
            outcome.already_present += retry["already_present"]
            outcome.invalid = len(outcome.errors)
        return outcome

    def _awaits_roster(
        self, error: dict[str, Any], lines: list[bytes], registered: set[str]
    ) -> bool:
        if not error["problem"].get("type", "").endswith(NOT_ON_ROSTER):
            return False
        try:
            record = json.loads(lines[int(error["line"]) - 1])
        except (ValueError, IndexError):
            return False
        return isinstance(record, dict) and str(record.get("practitioner_id")) in registered

    async def _post(self, body: bytes, *, dry_run: bool) -> dict[str, Any]:
        params = {"dry_run": "true" if dry_run else "false"}
        try:
            response = await self.client.post(
                "/imports", content=body, params=params, headers=NDJSON
            )
        except httpx.HTTPError as error:
            raise ImportRefused(
                f"{self.name}: {self.service} is not reachable ({error})"
            ) from error
        if response.status_code not in (200, 202):
            raise ImportRefused(f"{self.name}: {self.service} refused it: {_detail(response)}")
        report: dict[str, Any] = response.json()
        self._report_progress(report["done"], report["total"])
        return report

    async def _follow(self, report: dict[str, Any]) -> dict[str, Any]:
        while report["status"] == "running":
            await asyncio.sleep(self.poll_seconds)
            response = await self.client.get(f"/imports/{report['id']}")
            if response.status_code != 200:
                raise ImportRefused(f"{self.name}: the report is unavailable: {_detail(response)}")
            report = response.json()
            self._report_progress(report["done"], report["total"])
        if report["status"] == "failed":
            raise ImportRefused(f"{self.name}: the import failed: {report.get('failure')}")
        return report

    async def _errors(self, import_id: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            params = {"limit": "200", **({"cursor": cursor} if cursor else {})}
            response = await self.client.get(f"/imports/{import_id}/errors", params=params)
            if response.status_code != 200:
                raise ImportRefused(f"{self.name}: errors unavailable: {_detail(response)}")
            page = response.json()
            found.extend(page["items"])
            cursor = page.get("next_cursor")
            if not cursor:
                return found

    def _outcome(self, report: dict[str, Any], errors: list[dict[str, Any]]) -> FileOutcome:
        return FileOutcome(
            file=self.name,
            service=self.service,
            import_id=report["id"],
            status=report["status"],
            received=report["received"],
            stored=report["stored"],
            already_present=report["already_present"],
            invalid=report["invalid"],
            errors=errors,
        )

    def _report_progress(self, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(self.name, done, total)


def _detail(response: httpx.Response) -> str:
    try:
        return f"{response.status_code} {response.json().get('detail', response.text)}"
    except ValueError:
        return f"{response.status_code} {response.text[:200]}"
