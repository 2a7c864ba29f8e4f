"""The `miiwrap` command: run the local stack, issue local tokens, import an agency's history,
migrate a service's schema."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from services.learning.xapi.cli import app as xapi_credentials
from shared.auth import Role, issue_token
from system.import_command import import_command
from system.migrate_command import Service, migrate_service, write_service_revision

app = typer.Typer(help="MiiWrap Infrastructure developer commands.", no_args_is_help=True)
app.add_typer(xapi_credentials, name="xapi-credentials")
agency_app = typer.Typer(help="Agencies on the platform.", no_args_is_help=True)
app.add_typer(agency_app, name="agency")


@app.command()
def run(
    root: Annotated[Path, typer.Option(help="project folder")] = Path(),
    secure_nats: Annotated[
        bool, typer.Option(help="NATS with a user per service and per agency app")
    ] = False,
    workers: Annotated[
        int, typer.Option(min=1, help="uvicorn worker processes of each service")
    ] = 1,
) -> None:
    """Start PostgreSQL, NATS JetStream and the four services (Ctrl-C stops all)."""
    try:
        from system.devstack import run as run_stack
    except ModuleNotFoundError as missing:  # the image has no dev servers, by design
        typer.echo(f"miiwrap run needs the dev extra ({missing.name}): pip install -e '.[dev]'")
        raise typer.Exit(2) from missing

    raise typer.Exit(run_stack(root.resolve(), secure_nats=secure_nats, workers=workers))


app.command("import")(import_command)


@app.command()
def migrate(
    service: Annotated[Service, typer.Argument(help="whose schema to migrate")],
) -> None:
    """Bring a service's schema to its newest revision (reads the service's own env vars:
    <SERVICE>_DATABASE_URL, <SERVICE>_DB_SCHEMA …). Services also do it at start-up."""
    migrate_service(service)


@app.command("schema-revision")
def schema_revision(
    service: Annotated[Service, typer.Argument(help="whose schema changes")],
    message: Annotated[str, typer.Option("--message", "-m", help="what the revision does")],
) -> None:
    """Write a new revision from what the service's models declare and its revisions lack
    (Alembic autogenerate against a scratch schema of the service's database)."""
    typer.echo(write_service_revision(service, message))


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


@agency_app.command("create")
def create_agency(
    agency: Annotated[str, typer.Option(help="the new agency's id (lowercase, digits, - or _)")],
    name: Annotated[str, typer.Option(help="the agency's name")],
    url: Annotated[str | None, typer.Option(help="the agency's web address")] = None,
    admin: Annotated[str, typer.Option(help="the first admin's subject")] = "admin",
    root: Annotated[Path, typer.Option(help="project folder")] = Path(),
) -> None:
    """Onboard an agency on the running `make run` stack: its record, first admin, LMS
    credential and agency-app NATS user (the running nats-server reloads, no restart)."""
    import asyncio

    from system.onboarding import AgencyRequest, OnboardingFailed, onboard_agency_locally

    request = AgencyRequest(agency_id=agency, name=name, url=url, first_admin_id=admin)
    data_dir = root.resolve() / ".data"
    if not data_dir.is_dir():
        typer.echo(f"no {data_dir}: start the stack with `make run-secure` first", err=True)
        raise typer.Exit(1)
    try:
        onboarded = asyncio.run(onboard_agency_locally(request, data_dir))
    except OnboardingFailed as error:
        typer.echo(f"agency create failed: {error}", err=True)
        raise typer.Exit(1) from error
    what = "created" if onboarded.created else "already registered; credentials refreshed"
    typer.echo(f"agency {onboarded.agency_id} ({onboarded.name}): {what}")
    typer.echo(f"first admin {onboarded.admin_subject}, bearer token (8 hours):")
    typer.echo(f"  {onboarded.admin_token}")
    typer.echo(f"LMS credential (xAPI, HTTP Basic): {onboarded.lms_key} / {onboarded.lms_secret}")
    nats = onboarded.nats
    typer.echo(
        f"agency-app NATS user: {nats.user} / {nats.password} "
        f"(inbox prefix {nats.inbox_prefix}, subjects {nats.subjects})"
    )
    if nats.reloaded:
        typer.echo("nats-server reloaded its configuration: the app can connect now")
    else:
        typer.echo("no running nats-server found: `make run-secure` starts with this user")


if __name__ == "__main__":
    app()
