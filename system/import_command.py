"""`miiwrap import FOLDER`: an agency's export folder into the four services, with progress.

The work is `system.importer`; this module is the command line around it: options, the
token, the progress bars and the summary table. Exit code 0 when every line was stored
or already present, 1 when lines were invalid, 2 when a file was refused whole.
"""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Annotated

import httpx
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn
from rich.table import Table

from shared.auth import issue_token
from system.importer import FileOutcome, ImportRefused, import_folder
from system.local_data import local_settings
from system.topology import SERVICE_PORTS

SHOWN_ERRORS = 20


def _default_url(service: str) -> str:
    return f"http://127.0.0.1:{SERVICE_PORTS[service]}"


def import_command(
    folder: Annotated[Path, typer.Argument(help="the agency's export folder")],
    agency: Annotated[str | None, typer.Option(help="agency id (for a token of your own)")] = None,
    token: Annotated[
        str | None, typer.Option(help="an admin bearer token; default: issued locally")
    ] = None,
    dry_run: Annotated[bool, typer.Option(help="check every line, store nothing")] = False,
    learning_url: Annotated[str, typer.Option(help="learning service")] = _default_url("learning"),
    coaching_url: Annotated[str, typer.Option(help="coaching service")] = _default_url("coaching"),
    fidelity_url: Annotated[str, typer.Option(help="fidelity service")] = _default_url("fidelity"),
    certification_url: Annotated[str, typer.Option(help="certification service")] = _default_url(
        "certification"
    ),
    root: Annotated[
        Path, typer.Option(help="project folder (its .data holds the secret)")
    ] = Path(),
) -> None:
    """Import an agency's history: roster.ndjson first, then learning, coaching, fidelity."""
    console = Console()
    bearer = token or _local_token(agency, root)
    urls = {
        "learning": learning_url,
        "coaching": coaching_url,
        "fidelity": fidelity_url,
        "certification": certification_url,
    }
    try:
        outcomes = asyncio.run(_run(folder, urls, bearer, dry_run, console))
    except ImportRefused as refused:
        console.print(f"[red]refused:[/red] {refused}")
        raise typer.Exit(2) from refused
    console.print(summary_table(outcomes, dry_run))
    for outcome in outcomes:
        for error in outcome.errors[:SHOWN_ERRORS]:
            console.print(f"  {outcome.file}:{error['line']} {error['problem'].get('detail')}")
        if len(outcome.errors) > SHOWN_ERRORS:
            more = len(outcome.errors) - SHOWN_ERRORS
            console.print(f"  {outcome.file}: {more} more; GET /imports/{outcome.import_id}/errors")
    raise typer.Exit(1 if any(o.invalid for o in outcomes) else 0)


def _local_token(agency: str | None, root: Path) -> str:
    data_dir = (root / ".data").resolve()
    if agency is None:
        raise typer.BadParameter("give --agency (with the local secret) or --token")
    if not (data_dir / "jwt-secret").exists():
        raise typer.BadParameter(f"no local secret in {data_dir}; run `make run` or give --token")
    settings = local_settings(data_dir)
    return issue_token(settings, subject="miiwrap-import", agency_id=agency, roles=["admin"])


async def _run(
    folder: Path, urls: dict[str, str], token: str, dry_run: bool, console: Console
) -> list[FileOutcome]:
    headers = {"Authorization": f"Bearer {token}"}
    async with AsyncExitStack() as stack:
        clients = {
            service: await stack.enter_async_context(
                httpx.AsyncClient(base_url=url, headers=headers, timeout=300.0)
            )
            for service, url in urls.items()
        }
        with Progress(
            TextColumn("{task.description:<18}"), BarColumn(), MofNCompleteColumn(), console=console
        ) as bars:
            tasks: dict[str, TaskID] = {}

            def show(name: str, done: int, total: int) -> None:
                if name not in tasks:
                    tasks[name] = bars.add_task(name, total=total)
                bars.update(tasks[name], completed=done, total=total)

            return await import_folder(folder, clients, dry_run=dry_run, progress=show)
    raise AssertionError("unreachable")  # pragma: no cover


def summary_table(outcomes: list[FileOutcome], dry_run: bool) -> Table:
    title = "Dry run: nothing stored" if dry_run else "Import"
    table = Table(title=title)
    stored = "would store" if dry_run else "stored"
    table.add_column("file", no_wrap=True, min_width=len("learning.ndjson"))
    table.add_column("service", no_wrap=True, min_width=len("certification"))
    for column in ("lines", stored, "already present", "invalid"):
        table.add_column(column, justify="right")
    if dry_run:
        table.add_column("awaiting roster", justify="right")
    for o in outcomes:
        row = [o.file, o.service, str(o.received), str(o.stored), str(o.already_present)]
        row.append(f"[red]{o.invalid}[/red]" if o.invalid else "0")
        if dry_run:
            row.append(str(o.awaiting_roster))
        table.add_row(*row)
    return table
