"""`miiwrap xapi-credentials`: an operator issues and rotates credentials from a shell."""

from __future__ import annotations

import asyncio
import re
import uuid

from typer.testing import CliRunner

from services.learning.xapi.cli import app
from tests.learning.xapi.integration.lrs_client import VERSION, Lms, basic


async def miiwrap(lms: Lms, *arguments: str) -> str:
    database = ["--database-url", lms.settings.database_dsn, "--schema", lms.settings.db_schema]
    result = await asyncio.to_thread(CliRunner().invoke, app, [*arguments, *database])
    assert result.exit_code == 0, result.output
    return result.output


def field(output: str, name: str) -> str:
    found = re.search(rf"^{name}:\s+(\S+)", output, re.MULTILINE)
    assert found is not None, output
    return found.group(1)


async def authenticated(lms: Lms, key: str, secret: str) -> bool:
    response = await lms.client.get("/xapi/statements", headers={**VERSION, **basic(key, secret)})
    return response.status_code == 200


async def test_a_credential_issued_by_the_cli_works_and_rotates(running_lrs: Lms) -> None:
    agency = "agency-" + uuid.uuid4().hex[:8]
    created = await miiwrap(running_lrs, "create", "--agency", agency, "--partner", "Relias LMS")
    key, secret = field(created, "key"), field(created, "secret")
    assert key.startswith("relias-lms-")
    assert await authenticated(running_lrs, key, secret)

    rotated = await miiwrap(running_lrs, "rotate", "--agency", agency, "--key", key)

    assert not await authenticated(running_lrs, key, secret)
    assert await authenticated(running_lrs, key, field(rotated, "secret"))
    listed = await miiwrap(running_lrs, "list", "--agency", agency)
    assert listed.strip() == f"{key}\tRelias LMS\tactive"
    await miiwrap(running_lrs, "revoke", "--agency", agency, "--key", key)
    assert not await authenticated(running_lrs, key, field(rotated, "secret"))
