"""`miiwrap import` against the four services served by uvicorn: dry run, import, re-import.

The command runs as a user runs it (typer's runner, in a thread with its own event loop),
talking HTTP to the services, which run in the test's loop on free ports.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI
from typer.testing import CliRunner, Result

from services.certification.bootstrap import create_service_app as certification_app
from services.certification.config import CertificationSettings
from services.coaching.bootstrap import create_service_app as coaching_app
from services.coaching.config import CoachingSettings
from services.fidelity.bootstrap import create_service_app as fidelity_app
from services.fidelity.config import FidelitySettings
from services.learning.bootstrap import create_service_app as learning_app
from services.learning.config import LearningSettings
from shared.auth import issue_token
from shared.servers import free_port
from system.cli import app as cli
from system.importer import export_files

START = date(2024, 9, 2)


@asynccontextmanager
async def served(app: FastAPI) -> AsyncIterator[str]:
    """The app behind a real HTTP server on a free port, in this event loop."""
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, lifespan="on", log_level="warning", timeout_keep_alive=65
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        assert not task.done(), "the server stopped while starting"
        await asyncio.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


def write_ndjson(path: Path, records: list[dict[str, Any] | str]) -> None:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records))


def export_folder(folder: Path) -> dict[str, str]:
    """A small agency export: two practitioners, and one wrong line in the learning file."""
    ids = {name: str(uuid.uuid4()) for name in ("attempt", "assignment", "paper")}
    write_ndjson(
        folder / "roster.ndjson",
        [
            {
                "kind": "registration",
                "practitioner_id": practitioner,
                "role": "facilitator",
                "program_start": START.isoformat(),
                "coach_id": "coach-cli",
            }
            for practitioner in ("prac-cli-1", "prac-cli-2")
        ],
    )
    write_ndjson(
        folder / "learning.ndjson",
        [
            {
                "kind": "enrollment",
                "id": str(uuid.uuid4()),
                "practitioner_id": "prac-cli-1",
                "enrolled_on": START.isoformat(),
            },
            {
                "kind": "attempt",
                "id": ids["attempt"],
                "practitioner_id": "prac-cli-1",
                "module_id": "M1",
                "scaled_score": 0.9,
                "attempted_at": "2024-10-01T10:00:00+00:00",
            },
            {"kind": "attempt", "id": str(uuid.uuid4()), "practitioner_id": "prac-cli-1"},
        ],
    )
    write_ndjson(
        folder / "coaching.ndjson",
        [
            {
                "kind": "assignment",
                "id": ids["assignment"],
                "coach_id": "coach-cli",
                "practitioner_id": "prac-cli-2",
                "valid_from": START.isoformat(),
                "valid_to": None,
            }
        ],
    )
    write_ndjson(
        folder / "fidelity.ndjson",
        [
            {
                "kind": "paper_observation",
                "id": ids["paper"],
                "instrument_key": "team-meeting-observation",
                "instrument_version": 1,
                "practitioner_id": "prac-cli-2",
                "observer_id": "obs-cli",
                "meeting_date": "2024-11-05",
                "setting": "family home",
                "domain_scores": [{"domain_id": "TM.ENG", "score": 80.0}],
                "total": 80.0,
            }
        ],
    )
    return ids


FILES = ("roster.ndjson", "learning.ndjson", "coaching.ndjson", "fidelity.ndjson")


def summary_rows(output: str) -> dict[str, list[str]]:
    """The summary table's rows by file: file, service, lines, stored, present, invalid…"""
    rows = {}
    for line in output.splitlines():
        cells = [cell.strip() for cell in line.split("│")[1:-1]]
        if cells and cells[0] in FILES:
            rows[cells[0]] = cells
    return rows


async def run_cli(*args: str) -> Result:
    return await asyncio.to_thread(CliRunner().invoke, cli, ["import", *args])


async def test_the_import_command_imports_an_export_folder_in_order_and_only_once(
    settings_for: Callable[..., Any], agency_id: str, tmp_path: Path
) -> None:
    ids = export_folder(tmp_path)
    configured = {
        "learning": (learning_app, settings_for(LearningSettings, lapse_check_interval_seconds=0)),
        "coaching": (coaching_app, settings_for(CoachingSettings)),
        "fidelity": (fidelity_app, settings_for(FidelitySettings)),
        "certification": (certification_app, settings_for(CertificationSettings)),
    }
    settings = configured["learning"][1]
    token = issue_token(settings, subject="importer", agency_id=agency_id, roles=["admin"])
    headers = {"Authorization": f"Bearer {token}"}
    async with AsyncExitStack() as stack:
        urls = {
            name: await stack.enter_async_context(served(create(config)))
            for name, (create, config) in configured.items()
        }
        options = ["--token", token, *[f"--{name}-url={url}" for name, url in urls.items()]]

        checked = await run_cli(str(tmp_path), "--dry-run", *options)
        async with httpx.AsyncClient(headers=headers) as client:
            roster = await client.get(f"{urls['certification']}/practitioners")
        assert checked.exit_code == 1, checked.output
        assert "Dry run: nothing stored" in checked.output
        dry = summary_rows(checked.output)
        assert list(dry) == list(FILES)
        assert (dry["roster.ndjson"][3], dry["learning.ndjson"][5]) == ("2", "1")
        # evidence for practitioners roster.ndjson registers awaits the roster, not invalid
        awaiting = {name: row[6] for name, row in dry.items()}
        assert awaiting == {
            "roster.ndjson": "0",
            "learning.ndjson": "2",
            "coaching.ndjson": "1",
            "fidelity.ndjson": "1",
        }
        assert "learning.ndjson:3" in checked.output
        assert roster.json()["items"] == []

        imported = await run_cli(str(tmp_path), *options)
        assert imported.exit_code == 1, imported.output
        assert "learning.ndjson:3" in imported.output
        async with httpx.AsyncClient(headers=headers) as client:
            roster = await client.get(f"{urls['certification']}/practitioners")
            attempt = await client.get(f"{urls['learning']}/attempts/{ids['attempt']}")
            assignment = await client.get(f"{urls['coaching']}/assignments/{ids['assignment']}")
            paper = await client.get(f"{urls['fidelity']}/observations/{ids['paper']}")
        registered = {p["practitioner_id"] for p in roster.json()["items"]}
        assert registered == {"prac-cli-1", "prac-cli-2"}
        assert attempt.status_code == 200 and attempt.json()["passed"] is True
        assert assignment.status_code == 200
        assert paper.json()["source"] == "paper"
        async with httpx.AsyncClient(headers=headers) as client:
            windows = await client.get(f"{urls['certification']}/import-windows")
        [window] = windows.json()["items"]  # the dry run opened none; the import held one
        assert window["status"] == "closed", window
        assert window["label"] == f"miiwrap import {tmp_path.name}"[:100]

        again = await run_cli(str(tmp_path), *options)
        stored_again = {name: row[3] for name, row in summary_rows(again.output).items()}
        assert stored_again == dict.fromkeys(FILES, "0"), again.output


async def test_the_import_command_refuses_a_folder_with_a_file_it_does_not_know(
    tmp_path: Path,
) -> None:
    write_ndjson(tmp_path / "observations.ndjson", [{"kind": "observation"}])

    result = await run_cli(str(tmp_path), "--token", "t")

    assert result.exit_code == 2
    assert "observations.ndjson" in result.output and "roster.ndjson" in result.output


def test_an_export_folder_is_imported_roster_first_whatever_files_it_lacks(
    tmp_path: Path,
) -> None:
    for name in ("fidelity.ndjson", "learning.ndjson", "roster.ndjson"):
        (tmp_path / name).write_text("")

    order = [(path.name, service) for path, service in export_files(tmp_path)]

    assert order == [
        ("roster.ndjson", "certification"),
        ("learning.ndjson", "learning"),
        ("fidelity.ndjson", "fidelity"),
    ]
