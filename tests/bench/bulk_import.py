"""Figure 2: a bulk NDJSON import, from its first byte to certification's state committed.

`lines` fidelity observations of agency `writes` (whose practitioners are on fidelity's
roster copy) go to `POST /imports` in one body; the clock stops when certification has
committed evidence for every one of them (its `evidence_received` events, appended in
the consumer's transaction with the practitioner's re-evaluation).

Alone: `python -m tests.bench.bulk_import [--lines 5000] [--rounds 3] [--practitioners 64]
[--baseline DIR] [--profile DIR]` starts the bench's stack (and, with `--baseline`,
another checkout's services on a second stack, imported into round by round in turns)
and prints each round's rate, the service CPU per line of fidelity and certification,
PostgreSQL's and NATS's, and how many certification transactions took the import in;
`--profile` records both services with py-spy (not a project dependency).
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import asyncpg
import httpx

from tests.bench.writes import Tokens, ago
from tests.fidelity.fidelity_builders import observation

AGENCY = "writes"
OBSERVER_PREFIX = "import-observer-"  # the import's observers, and no one else's


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
            observer_id=f"{OBSERVER_PREFIX}{n % 7}",
            meeting_date=ago(1 + (n // len(practitioners)) % 300),
        )
        rows.append(json.dumps({"kind": "observation", **body}))
    return ("\n".join(rows) + "\n").encode()


async def evidence_since(
    conn: asyncpg.Connection,  # type: ignore[type-arg]
    schema: str,
    agency: str,
    after_position: int,
) -> int:
    """The import's evidence at certification stored after `after_position` (its lines'
    observers are the import's own, so evidence of earlier writes still in flight is
    not counted): a range of the primary key, so polling it often costs the database
    it measures next to nothing (a count of the agency's whole history, 20 times a
    second, cost it about a third of its CPU)."""
    # the position written out, so the plan is always the range scan (a generic plan
    # for a `position > $n` parameter may read the whole table)
    count = await conn.fetchval(
        f'SELECT count(*) FROM "{schema}".events WHERE position > {int(after_position)}'
        " AND agency_id = $1 AND name = 'evidence_received'"
        f" AND data->'item'->>'observer_id' LIKE '{OBSERVER_PREFIX}%'",
        agency,
    )
    return int(count)


async def import_to_certified(
    fidelity_url: str, secret: str, dsn: str, schema: str, practitioners: list[str], lines: int
) -> tuple[float, float]:
    """(events per second from first byte to committed at certification, seconds)."""
    body = ndjson(practitioners, lines)
    conn = await asyncpg.connect(dsn)
    try:
        await settled(conn, schema, AGENCY)
        # nothing of the agency's evidence is in flight once settled: the import's all
        # comes after the last position stored now
        last = await conn.fetchval(f'SELECT coalesce(max(position), 0) FROM "{schema}".events')
        headers = Tokens(secret, AGENCY)() | {"Content-Type": "application/x-ndjson"}
        started = time.perf_counter()
        async with httpx.AsyncClient(timeout=120) as http:
            answer = await http.post(f"{fidelity_url}/imports", content=body, headers=headers)
        if answer.status_code != 202:
            raise RuntimeError(f"import refused: {answer.status_code} {answer.text[:400]}")
        deadline = started + 600
        while await evidence_since(conn, schema, AGENCY, last) < lines:
            if time.perf_counter() > deadline:
                raise TimeoutError("certification did not take in the import within 600 s")
            await asyncio.sleep(0.05)
        seconds = time.perf_counter() - started
    finally:
        await conn.close()
    return lines / seconds, seconds


# ---- figure 2 alone: `python -m tests.bench.bulk_import` ----


async def _on_every_roster(stack: Any, writes: Any) -> None:
    """One observation POST per practitioner (each waits until fidelity's roster copy has
    them), so no import line is refused for a roster event still on its way."""
    from tests.bench.writes import post_accepted

    async with httpx.AsyncClient(timeout=60) as http:
        for worker in range(writes.clients):
            body = observation(
                practitioner_id=writes.practitioner(worker), observer_id="roster-check"
            )
            await post_accepted(
                http, f"{stack.services['fidelity'].url}/observations", body, writes.tokens()
            )


async def _batches(dsn: str, schema: str) -> int:
    """Certification's transactions that stored evidence of the agency so far."""
    conn = await asyncpg.connect(dsn)
    try:
        count = await conn.fetchval(
            f'SELECT count(DISTINCT tx_id::text) FROM "{schema}".events'
            " WHERE agency_id = $1 AND name = 'evidence_received'",
            AGENCY,
        )
    finally:
        await conn.close()
    return int(count)


def _tree_cpu_seconds(pid: int) -> float:
    """CPU of a server process and its children, those ended included (PostgreSQL: the
    postmaster and its backends)."""
    import os
    from pathlib import Path

    def fields(pid: int) -> list[str]:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()

    root = fields(pid)
    total = sum(int(v) for v in root[11:15])
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            try:
                total += sum(int(v) for v in fields(int(child))[11:13])
            except OSError:
                continue
    return total / os.sysconf("SC_CLK_TCK")


def _servers_cpu(stack: Any) -> dict[str, float]:
    pid = int((stack.postgres.data_dir / "postmaster.pid").read_text().split()[0])
    return {
        "postgres": _tree_cpu_seconds(pid),
        "nats": _tree_cpu_seconds(stack.nats.process.pid),
    }


async def _cli(arguments: Any) -> None:
    import shutil
    import statistics

    from tests.bench.processes import schema_of
    from tests.bench.write_cpu import Side, start_side

    sides: list[Side] = []
    try:
        sides.append(await start_side("this checkout", None, arguments.practitioners))
        if arguments.baseline:
            sides.append(await start_side("baseline", arguments.baseline, arguments.practitioners))
        for side in sides:
            await _on_every_roster(side.stack, side.writes)
        results: dict[str, list[tuple[float, float, float]]] = {s.name: [] for s in sides}
        for round_number in range(arguments.rounds):
            turn = round_number % len(sides)
            for side in sides[turn:] + sides[:turn]:
                stack = side.stack
                assert side.writes is not None
                services = {n: stack.services[n] for n in ("fidelity", "certification")}
                recorders = []
                if arguments.profile and side is sides[0]:
                    recorders = [
                        await asyncio.create_subprocess_exec(
                            "py-spy",
                            "record",
                            "--pid",
                            str(p.pids()[0]),
                            "--rate",
                            "200",
                            "--format",
                            "raw",
                            "--nonblocking",
                            "--output",
                            str(arguments.profile / f"{n}-{round_number + 1}.txt"),
                        )
                        for n, p in services.items()
                    ]
                    await asyncio.sleep(0.5)
                before = {n: p.cpu_seconds() for n, p in services.items()}
                servers_before = _servers_cpu(stack)
                batches_before = await _batches(stack.database_url, schema_of("certification"))
                rate, seconds = await import_to_certified(
                    services["fidelity"].url,
                    stack.secret,
                    stack.database_url,
                    schema_of("certification"),
                    [side.writes.practitioner(w) for w in range(side.writes.clients)],
                    arguments.lines,
                )
                cpu = {
                    n: (p.cpu_seconds() - before[n]) / arguments.lines * 1000
                    for n, p in services.items()
                }
                servers = {
                    n: (seconds - servers_before[n]) / arguments.lines * 1000
                    for n, seconds in _servers_cpu(stack).items()
                }
                for recorder in recorders:
                    recorder.send_signal(2)  # SIGINT: py-spy writes its samples and ends
                    await recorder.wait()
                batches = await _batches(stack.database_url, schema_of("certification"))
                results[side.name].append((rate, cpu["fidelity"], cpu["certification"]))
                print(
                    f"{side.name}, round {round_number + 1}: {arguments.lines:,} lines in"
                    f" {seconds:.2f} s, {rate:,.0f} events/s; service CPU per line: fidelity"
                    f" {cpu['fidelity']:.3f} ms, certification {cpu['certification']:.3f} ms"
                    f" (PostgreSQL {servers['postgres']:.3f} ms, NATS {servers['nats']:.3f} ms);"
                    f" {batches - batches_before} certification transactions took it in",
                    flush=True,
                )
        for name, rows in results.items():
            print(
                f"{name}: median {statistics.median(r[0] for r in rows):,.0f} events/s,"
                f" fidelity {statistics.median(r[1] for r in rows):.3f} ms/line,"
                f" certification {statistics.median(r[2] for r in rows):.3f} ms/line"
            )
    finally:
        for side in sides:
            side.stack.stop()
            shutil.rmtree(side.stack.root, ignore_errors=True)


def main() -> None:
    import argparse
    from pathlib import Path

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=5_000)
    parser.add_argument("--practitioners", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", type=Path, help="py-spy of both services, each round")
    parser.add_argument(
        "--baseline",
        type=Path,
        help="another checkout (e.g. a worktree of main): its services on a second stack,"
        " imported into round by round beside this checkout's",
    )
    arguments = parser.parse_args()
    if arguments.profile:
        arguments.profile.mkdir(parents=True, exist_ok=True)
    asyncio.run(_cli(arguments))


if __name__ == "__main__":
    main()
