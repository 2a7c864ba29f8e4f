"""Figure 2: a bulk NDJSON import, from its first byte to certification's state committed.

`lines` fidelity observations of agency `writes` (whose practitioners are on fidelity's
roster copy) go to `POST /imports` in one body; the clock stops when certification has
committed evidence for every one of them (its `evidence_received` events, appended in
the consumer's transaction with the practitioner's re-evaluation).
"""

from __future__ import annotations

import asyncio
import json
import time

import asyncpg
import httpx

from tests.bench.writes import Tokens, ago
from tests.fidelity.fidelity_builders import observation

AGENCY = "writes"


async def evidence_count(conn: asyncpg.Connection, schema: str, agency: str) -> int:  # type: ignore[type-arg]
    count = await conn.fetchval(
        f'SELECT count(*) FROM "{schema}".events'
        " WHERE agency_id = $1 AND name = 'evidence_received'",
        agency,
    )
    return int(count)


async def settled(conn: asyncpg.Connection, schema: str, agency: str, quiet: float = 2.0) -> int:  # type: ignore[type-arg]
    """Wait until certification's evidence of `agency` stops growing; the count then."""
    last, since = -1, time.monotonic()
    while True:
        now = await evidence_count(conn, schema, agency)
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return now
        await asyncio.sleep(0.2)


def ndjson(practitioners: list[str], lines: int) -> bytes:
    rows = []
    for n in range(lines):
        body = observation(
            practitioner_id=practitioners[n % len(practitioners)],
            observer_id=f"import-observer-{n % 7}",
            meeting_date=ago(1 + (n // len(practitioners)) % 300),
        )
        rows.append(json.dumps({"kind": "observation", **body}))
    return ("\n".join(rows) + "\n").encode()


async def import_to_certified(
    fidelity_url: str, secret: str, dsn: str, schema: str, practitioners: list[str], lines: int
) -> tuple[float, float]:
    """(events per second from first byte to committed at certification, seconds)."""
    body = ndjson(practitioners, lines)
    conn = await asyncpg.connect(dsn)
    try:
        before = await settled(conn, schema, AGENCY)
        headers = Tokens(secret, AGENCY)() | {"Content-Type": "application/x-ndjson"}
        started = time.perf_counter()
        async with httpx.AsyncClient(timeout=120) as http:
            answer = await http.post(f"{fidelity_url}/imports", content=body, headers=headers)
        if answer.status_code != 202:
            raise RuntimeError(f"import refused: {answer.status_code} {answer.text[:400]}")
        deadline = started + 600
        while await evidence_count(conn, schema, AGENCY) < before + lines:
            if time.perf_counter() > deadline:
                raise TimeoutError("certification did not take in the import within 600 s")
            await asyncio.sleep(0.05)
        seconds = time.perf_counter() - started
    finally:
        await conn.close()
    return lines / seconds, seconds
