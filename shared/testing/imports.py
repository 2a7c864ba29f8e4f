"""Driving `POST /imports` from a test: NDJSON bodies, a real run followed to its end."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable, Mapping
from typing import Any

import httpx

NDJSON = {"Content-Type": "application/x-ndjson"}


def ndjson(records: Iterable[Mapping[str, Any] | str]) -> bytes:
    """One line per record; a `str` is sent as it is (for malformed lines)."""
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records).encode()


async def post_import(
    client: httpx.AsyncClient, headers: Mapping[str, str], body: bytes, *, dry_run: bool = False
) -> httpx.Response:
    return await client.post(
        "/imports",
        content=body,
        params={"dry_run": "true" if dry_run else "false"},
        headers={**headers, **NDJSON},
    )


async def finished_report(
    client: httpx.AsyncClient, headers: Mapping[str, str], import_id: str, timeout: float = 30.0
) -> dict[str, Any]:
    """The report once the import is no longer running (fails after `timeout` seconds)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        response = await client.get(f"/imports/{import_id}", headers=dict(headers))
        assert response.status_code == 200, response.text
        report: dict[str, Any] = response.json()
        if report["status"] != "running":
            return report
        if loop.time() > deadline:
            raise AssertionError(f"import {import_id} still running after {timeout}s: {report}")
        await asyncio.sleep(0.05)


async def invalid_lines(
    client: httpx.AsyncClient, headers: Mapping[str, str], import_id: str
) -> list[dict[str, Any]]:
    """Every invalid line of the import, following the pages."""
    found: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        params = {"limit": "200", **({"cursor": cursor} if cursor else {})}
        response = await client.get(
            f"/imports/{import_id}/errors", params=params, headers=dict(headers)
        )
        assert response.status_code == 200, response.text
        page = response.json()
        found.extend(page["items"])
        cursor = page.get("next_cursor")
        if not cursor:
            return found
