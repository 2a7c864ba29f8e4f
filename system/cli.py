"""The `miiwrap` command: run the local stack, issue local tokens, import an agency's history."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from services.learning.xapi.cli import app as xapi_credentials
from shared.auth import Role, issue_token
from system.import_command import import_command

app = typer.Typer(help="MiiWrap Infrastructure developer commands.", no_args_is_help=True)
app.add_typer(xapi_credentials, name="xapi-credentials")


@app.command()
def run(
    root: Annotated[Path, typer.Option(help="project folder")] = Path(),
    secure_nats: Annotated[
        bool, typer.Option(help="NATS with a user per service and per agency app")
    ] = False,
) -> None:
    """Start PostgreSQL, NATS JetStream and the four services (Ctrl-C stops all)."""
    from system.devstack import run as run_stack

    raise typer.Exit(run_stack(root.resolve(), secure_nats=secure_nats))


app.command("import")(import_command)


@app.command()
def token(
    agency: Annotated[str, typer.Option(help="agency id")],
    role: Annotated[list[Role], typer.Option(help="role; repeat for several")],
    subject: Annotated[str, typer.Option(help="the principal's id in the agency")] = "cli-user",
    hours: Annotated[int, typer.Option(help="lifetime")] = 8,
    root: Annotated[Path, typer.Option(help="project folder")] = Path(),
) -> None:
    """Print a local HS256 bearer token signed with the secret of `make run`."""
    from system.local_data import local_settings

    settings = local_settings((root / ".data").resolve())
    typer.echo(
        issue_token(
            settings,
            subject=subject,
            agency_id=agency,
            roles=[r.value for r in role],
            ttl_seconds=hours * 3600,
        )
    )


if __name__ == "__main__":
    app()
