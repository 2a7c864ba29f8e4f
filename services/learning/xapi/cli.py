"""`miiwrap xapi-credentials …`: issue, list, rotate and revoke LMS credentials from a shell.

Talks to the learning service's database directly (LEARNING_DATABASE_URL and
LEARNING_DB_SCHEMA, as the service reads them, or the options), so an operator can
hand an LMS partner its credential before any admin token exists. The secret is
printed once; only its hash is stored.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import typer
from pydantic import SecretStr

from services.learning.adapters.schema import SCHEMA
from services.learning.config import LearningSettings
from shared.database import Connection, create_pool
from shared.schema.runner import migrate

from .adapters import credential_store
from .credential_admin import InvalidKey, IssuedCredential, KeyTaken, issue_credential
from .credential_admin import rotate_credential as rotate_secret

app = typer.Typer(help="LMS credentials for the xAPI endpoint (HTTP Basic).", no_args_is_help=True)

T = TypeVar("T")
Agency = Annotated[str, typer.Option(help="the agency the credential belongs to")]
DatabaseUrl = Annotated[
    str | None, typer.Option(help="PostgreSQL URL; LEARNING_DATABASE_URL if absent")
]
Schema = Annotated[str | None, typer.Option(help="schema; LEARNING_DB_SCHEMA or 'learning'")]


def _run(
    database_url: str | None, schema: str | None, work: Callable[[Connection], Awaitable[T]]
) -> T:
    overrides: dict[str, object] = {"db_pool_min": 1, "db_pool_max": 1}
    if database_url:
        overrides["database_url"] = SecretStr(database_url)
    if schema:
        overrides["db_schema"] = schema
    settings = LearningSettings().model_copy(update=overrides)

    async def main() -> T:
        pool = await create_pool(settings)
        try:
            await migrate(settings, SCHEMA, pool)
            async with pool.acquire() as conn, conn.transaction():
                return await work(conn)
        finally:
            await pool.close()

    return asyncio.run(main())


def _print_issued(issued: IssuedCredential) -> None:
    credential = issued.credential
    typer.echo(f"agency:  {credential.agency_id}")
    typer.echo(f"partner: {credential.partner_name}")
    typer.echo(f"key:     {credential.key}")
    typer.echo(f"secret:  {issued.secret}   (shown once; only its hash is stored)")
    typer.echo("endpoint: http://<host>:8001/xapi/  (HTTP Basic key:secret)")


@app.command()
def create(
    agency: Agency,
    partner: Annotated[str, typer.Option(help="the LMS partner, e.g. 'Relias LMS'")],
    key: Annotated[str | None, typer.Option(help="your own key; generated if absent")] = None,
    database_url: DatabaseUrl = None,
    schema: Schema = None,
) -> None:
    """Issue a credential and print its key and secret."""
    try:
        issued = _run(
            database_url, schema, lambda conn: issue_credential(conn, agency, partner, key=key)
        )
    except (InvalidKey, KeyTaken) as error:
        typer.echo(f"refused: {error}", err=True)
        raise typer.Exit(1) from error
    _print_issued(issued)


@app.command()
def rotate(
    agency: Agency,
    key: Annotated[str, typer.Option(help="the credential's key")],
    database_url: DatabaseUrl = None,
    schema: Schema = None,
) -> None:
    """Give a credential a new secret; the old one stops working at once."""
    issued = _run(database_url, schema, lambda conn: rotate_secret(conn, agency, key))
    if issued is None:
        typer.echo(f"agency {agency!r} has no credential {key!r}", err=True)
        raise typer.Exit(1)
    _print_issued(issued)


@app.command()
def revoke(
    agency: Agency,
    key: Annotated[str, typer.Option(help="the credential's key")],
    database_url: DatabaseUrl = None,
    schema: Schema = None,
) -> None:
    """Revoke a credential (rotate it to bring it back)."""
    found = _run(
        database_url, schema, lambda conn: credential_store.revoke_credential(conn, agency, key)
    )
    if not found:
        typer.echo(f"agency {agency!r} has no credential {key!r}", err=True)
        raise typer.Exit(1)
    typer.echo(f"revoked {key}")


@app.command("list")
def list_credentials(
    agency: Agency, database_url: DatabaseUrl = None, schema: Schema = None
) -> None:
    """The agency's credentials (never their secrets)."""
    found = _run(database_url, schema, lambda conn: credential_store.list_credentials(conn, agency))
    for credential in found:
        state = "active" if credential.active else "revoked"
        typer.echo(f"{credential.key}\t{credential.partner_name}\t{state}")
