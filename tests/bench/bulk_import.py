"""Figure 2: a bulk NDJSON import, from its first byte to certification's state committed.

`lines` fidelity observations of agency `writes` (whose practitioners are on fidelity's
roster copy) go to `POST /imports` in one body; the clock stops when certification has
committed evidence for every one of them (its `evidence_received` events, appended in
the consumer's transaction with the practitioner's re-evaluation).

Alone: `python -m tests.bench.bulk_import [--lines 5000] [--rounds 3] [--practitioners 64]
[--baseline DIR] [--profile DIR] [--timeline] [--statements] [--statement-cpu]
[--in-date-order] [--calibrated]` starts the
bench's stack (and, with `--baseline`, another checkout's services on a second stack,
imported into round by round in turns) and prints each round's rate, the service CPU per line of
fidelity and certification, and how many certification transactions took the import in;
then the CPU per line of every process group the import runs on (PostgreSQL's
postmaster and backends, nats-server, each service with its workers, this bench client)
and their sum, the machine's CPU per line, and PostgreSQL's split by the application of
the backend that spent it. The CPU counters start once the stack has settled, just
before the first byte (the settling polls certification's evidence count). `--profile`
records both services with py-spy (not a project dependency); `--timeline` prints when
each fidelity batch and each certification transaction began; `--statements` ends with
one more import whose statements PostgreSQL logs with their durations, summed per
statement and line; `--statement-cpu` one more whose every statement's CPU PostgreSQL
logs, split by protocol step (parse, bind, execute). Each round's lines are dated newest
first, the same days every round; `--in-date-order` dates them oldest first, each round
after the one before (the order in which certification can resume each practitioner's
replay). `--calibrated` first calibrates the import's observers, so every line is also
checked for drift against its practitioner's history, as an agency's history by
calibrated observers is (figure 2 imports uncalibrated observers' lines).
"""

from __future__ import annotations

import asyncio
import collections
import dataclasses
import json
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import httpx

from tests.bench.writes import Tokens, ago, post_accepted
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


def ndjson(
    practitioners: list[str], lines: int, in_date_order: tuple[int, int] | None = None
) -> bytes:
    """The import's body: each practitioner's observations a day apart, newest first; or,
    with ``in_date_order`` (this round, of how many), oldest first and every round's
    after the round before's (an agency importing its history in date order, in parts)."""
    rows = []
    per = -(-lines // len(practitioners))  # lines (days) per practitioner
    for n in range(lines):
        day = n // len(practitioners)
        if in_date_order is None:
            back = 1 + day % 300
        else:
            round_number, rounds = in_date_order
            back = 1 + (rounds - 1 - round_number) * per + (per - 1 - day)
        body = observation(
            practitioner_id=practitioners[n % len(practitioners)],
            observer_id=f"{OBSERVER_PREFIX}{n % 7}",
            meeting_date=ago(back),
        )
        rows.append(json.dumps({"kind": "observation", **body}))
    return ("\n".join(rows) + "\n").encode()


class EvidenceSince:
    """The import's evidence at certification stored after `after_position` (its lines'
    observers are the import's own, so evidence of earlier writes still in flight is
    not counted), counted as it lands.

    Each poll reads only the rows of transactions that may still have been running at
    the previous poll (`tx_id` at or past that poll's snapshot xmin, on the events'
    `(tx_id, position)` index); rows of transactions that had ended by then were all
    visible to it and are counted once. A poll of every row after `after_position`
    cost PostgreSQL about 5 ms by the import's end, 20 times a second: a tenth of a
    millisecond per line of the CPU being measured, spent by the measurement."""

    def __init__(self, conn: asyncpg.Connection, schema: str, agency: str, after: int) -> None:  # type: ignore[type-arg]
        self.conn, self.schema, self.agency, self.after = conn, schema, agency, after
        self.settled = 0  # rows of transactions ended before `self.horizon`
        self.horizon = "0"  # xid8 as text

    async def start(self) -> None:
        """Every transaction that can store the import's evidence starts after this."""
        self.horizon = await self.conn.fetchval(
            "SELECT pg_snapshot_xmin(pg_current_snapshot())::text"
        )

    async def count(self) -> int:
        row = await self.conn.fetchrow(
            f"""SELECT count(*) FILTER (WHERE e.tx_id < s.xmin) AS ended, count(*) AS seen,
                   s.xmin::text AS xmin
            FROM (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin) AS s
            LEFT JOIN "{self.schema}".events e
              ON e.tx_id >= $2::text::xid8 AND e.position > {int(self.after)}
             AND e.agency_id = $1 AND e.name = 'evidence_received'
             AND e.data->'item'->>'observer_id' LIKE '{OBSERVER_PREFIX}%'
            GROUP BY s.xmin""",
            self.agency,
            self.horizon,
        )
        assert row is not None
        total = self.settled + int(row["seen"])
        self.settled += int(row["ended"])
        self.horizon = row["xmin"]
        return total


async def import_to_certified(
    fidelity_url: str,
    secret: str,
    dsn: str,
    schema: str,
    practitioners: list[str],
    lines: int,
    timeline: list[str] | None = None,
    started: Callable[[], Awaitable[None]] | None = None,
    in_date_order: tuple[int, int] | None = None,
) -> tuple[float, float]:
    """(events per second from first byte to committed at certification, seconds); with
    `timeline`, what happened when is added to it (`_timeline`). `started` is awaited
    once the stack has settled, just before the first byte: the caller's CPU counters
    start there, not counting the settling (a count of the agency's evidence five times
    a second for at least two seconds, about 0.08 ms of PostgreSQL per line)."""
    body = ndjson(practitioners, lines, in_date_order)
    conn = await asyncpg.connect(dsn)
    try:
        await settled(conn, schema, AGENCY)
        # nothing of the agency's evidence is in flight once settled: the import's all
        # comes after the last position stored now, in transactions begun after it
        last = await conn.fetchval(f'SELECT coalesce(max(position), 0) FROM "{schema}".events')
        evidence = EvidenceSince(conn, schema, AGENCY, last)
        await evidence.start()
        headers = Tokens(secret, AGENCY)() | {"Content-Type": "application/x-ndjson"}
        if started is not None:
            await started()
        clock = await conn.fetchval("SELECT clock_timestamp()")
        started = time.perf_counter()
        async with httpx.AsyncClient(timeout=120) as http:
            answer = await http.post(f"{fidelity_url}/imports", content=body, headers=headers)
        answered = time.perf_counter() - started
        if answer.status_code != 202:
            raise RuntimeError(f"import refused: {answer.status_code} {answer.text[:400]}")
        deadline = started + 600
        while await evidence.count() < lines:
            if time.perf_counter() > deadline:
                raise TimeoutError("certification did not take in the import within 600 s")
            await asyncio.sleep(0.05)
        seconds = time.perf_counter() - started
        if timeline is not None:
            timeline += await _timeline(conn, schema, last, clock, answered, seconds)
    finally:
        await conn.close()
    return lines / seconds, seconds


async def _timeline(
    conn: asyncpg.Connection,  # type: ignore[type-arg]
    schema: str,
    after: int,
    clock: Any,
    answered: float,
    seconds: float,
) -> list[str]:
    """When, from the first byte, each transaction of the import began: fidelity's
    batches (their observations' events) and certification's intake (its evidence), by
    `recorded_at` (a transaction's start), so the fixed waits between them show."""
    fidelity = schema.replace("certification", "fidelity")
    queries = {
        "fidelity batches": f"""SELECT extract(epoch FROM min(recorded_at) - $1) AS at,
                count(*) AS n FROM "{fidelity}".events
            WHERE recorded_at >= $1 AND name = 'observation_recorded'
              AND data->>'observer_id' LIKE '{OBSERVER_PREFIX}%'
            GROUP BY tx_id ORDER BY at""",
        "certification transactions": f"""SELECT extract(epoch FROM min(recorded_at) - $1)
                AS at, count(*) AS n FROM "{schema}".events
            WHERE position > {int(after)} AND name = 'evidence_received'
              AND data->'item'->>'observer_id' LIKE '{OBSERVER_PREFIX}%'
            GROUP BY tx_id ORDER BY at""",
    }
    shown = [f"  import answered at {answered:.2f} s, all certified at {seconds:.2f} s"]
    for name, query in queries.items():
        rows = await conn.fetch(query, clock)
        began = " ".join(f"{float(r['at']):.2f}({r['n']})" for r in rows)
        shown.append(f"  {name} began at (s, lines): {began}")
    return shown


# ---- figure 2 alone: `python -m tests.bench.bulk_import` ----

# log_line_prefix below: "[pid] application " before each entry
_TIMED = re.compile(
    r"^\[(\d+)\] (\S*) LOG:  duration: ([0-9.]+) ms  (?:statement|(\w+) [^:]*): (.*)$"
)


async def _one_more_import(side: Any, lines: int) -> tuple[float, float]:
    """An import of `lines` into `side`'s stack, waited for until certification has them."""
    from tests.bench.processes import schema_of

    stack = side.stack
    return await import_to_certified(
        stack.services["fidelity"].url,
        stack.secret,
        stack.database_url,
        schema_of("certification"),
        [side.writes.practitioner(w) for w in range(side.writes.clients)],
        lines,
    )


async def _statement_times(side: Any, lines: int) -> None:
    """One more import with every statement's duration logged: PostgreSQL's time per line
    by application and statement (parse, bind and execute of a text together), the
    largest first. Logging costs PostgreSQL too: the shares matter, not the sum."""

    stack = side.stack
    admin = await asyncpg.connect(stack.database_url)
    log_path = stack.postgres.data_dir.parent / f"{stack.postgres.data_dir.name}.log"
    settings = {
        "log_min_duration_statement": "0",
        "log_parameter_max_length": "0",
        "log_line_prefix": "'[%p] %a '",
    }
    try:
        for name, value in settings.items():
            await admin.execute(f"ALTER SYSTEM SET {name} = {value}")
        await admin.execute("SELECT pg_reload_conf()")
        await asyncio.sleep(0.5)
        start = log_path.stat().st_size
        await _one_more_import(side, lines)
        await asyncio.sleep(1.0)  # the relay's last publications
    finally:
        for name in settings:
            await admin.execute(f"ALTER SYSTEM RESET {name}")
        await admin.execute("SELECT pg_reload_conf()")
        await admin.close()
    with log_path.open("rb") as log:
        log.seek(start)
        text = log.read().decode("utf-8", "replace")
    spent: collections.Counter[tuple[str, str]] = collections.Counter()
    executed: collections.Counter[tuple[str, str]] = collections.Counter()
    for entry in re.split(r"\n(?=\[\d+\] )", text):
        match = _TIMED.match(entry.split("\n", 1)[0])
        if match is None:
            continue
        sql = " ".join((match.group(5) + " " + entry.partition("\n")[2]).split())[:110]
        key = (match.group(2) or "-", sql)
        spent[key] += float(match.group(3))
        if match.group(4) in (None, "execute"):
            executed[key] += 1
    total = sum(spent.values())
    print(f"\nPostgreSQL statement time per line ({total / lines * 1000:.1f} us/line in all):")
    for (application, sql), ms in spent.most_common(30):
        print(
            f"  {ms / lines * 1000:7.1f} us {executed[(application, sql)] / lines:6.3f}/line"
            f"  {application:13} {sql}"
        )


async def _statement_cpu(side: Any, lines: int) -> None:
    """One more import with each backend's CPU logged per statement and protocol step
    (`log_statement_stats`): PostgreSQL's CPU per line by application, step and
    statement, the largest first. The logging costs CPU too: compare the figures with
    each other, not with the rounds' CPU per line."""
    from tests.bench.statement_cpu import print_usage
    from tests.bench.statement_log import logged_while

    stack = side.stack
    _, text = await logged_while(
        stack,
        "log_statement_stats",
        "on",
        lambda: _one_more_import(side, lines),
    )
    print_usage(text, lines, "line", "PostgreSQL statement CPU", 24)


async def _on_every_roster(stack: Any, writes: Any) -> None:
    """One observation POST per practitioner (each waits until fidelity's roster copy has
    them), so no import line is refused for a roster event still on its way."""
    async with httpx.AsyncClient(timeout=60) as http:
        for worker in range(writes.clients):
            body = observation(
                practitioner_id=writes.practitioner(worker), observer_id="roster-check"
            )
            await post_accepted(
                http, f"{stack.services['fidelity'].url}/observations", body, writes.tokens()
            )


async def _calibrate_observers(stack: Any, writes: Any) -> None:
    """The import's observers pass calibration on the team-meeting tool before any of its
    meetings (a pass counts for a year), so their observations count for trend and drift."""
    from tests.fidelity.fidelity_builders import TEAM_MEETING_INDICATORS, attempt, gold_standard
    from tests.fidelity.fidelity_builders import reference as calibration_reference

    url = stack.services["fidelity"].url
    gold = gold_standard(TEAM_MEETING_INDICATORS)
    async with httpx.AsyncClient(timeout=60) as http:
        body = calibration_reference(meeting_date=ago(320), gold=gold)
        await post_accepted(http, f"{url}/calibration/references", body, writes.tokens())
        for n in range(7):
            observer = f"{OBSERVER_PREFIX}{n}"
            answer = await http.post(
                f"{url}/calibration/attempts",
                json=attempt(body["id"], ago(310), gold),
                headers=writes.tokens("observer", observer),
            )
            if answer.status_code != 201 or not answer.json()["passed"]:
                raise RuntimeError(f"calibration of {observer}: {answer.status_code} {answer.text}")


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


async def _backends_cpu(dsn: str) -> dict[int, tuple[str, float]]:
    """Each live PostgreSQL backend's application and CPU seconds so far."""
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT pid, application_name FROM pg_stat_activity"
            " WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()"
        )
    finally:
        await conn.close()
    found: dict[int, tuple[str, float]] = {}
    for row in rows:
        try:
            fields = _proc_stat(row["pid"])
        except OSError:
            continue  # ended meanwhile
        found[row["pid"]] = (row["application_name"] or "-", _cpu_of(fields[11:13]))
    return found


def _backends_split(
    before: dict[int, tuple[str, float]], after: dict[int, tuple[str, float]], lines: int
) -> str:
    """PostgreSQL's CPU per line by the application whose backend spent it (a backend
    that ended during the round is not counted: the services' pools keep theirs)."""
    spent: dict[str, float] = collections.defaultdict(float)
    for pid, (application, seconds) in after.items():
        spent[application] += seconds - (before[pid][1] if pid in before else 0.0)
    return ", ".join(
        f"{name} {seconds / lines * 1000:.3f}"
        for name, seconds in sorted(spent.items(), key=lambda i: -i[1])
    )


def _proc_stat(pid: int) -> list[str]:
    from pathlib import Path

    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def _cpu_of(ticks: list[str]) -> float:
    import os

    return sum(int(v) for v in ticks) / os.sysconf("SC_CLK_TCK")


def _servers_cpu(stack: Any) -> dict[str, float]:
    pid = int((stack.postgres.data_dir / "postmaster.pid").read_text().split()[0])
    return {
        "postgres": _tree_cpu_seconds(pid),
        "nats": _tree_cpu_seconds(stack.nats.process.pid),
    }


def _machine_cpu(stack: Any) -> dict[str, float]:
    """CPU seconds so far of every process group the import runs on: PostgreSQL, NATS,
    each service (with its workers) and this bench client (its HTTP upload and the
    polling of certification's store), so a line's whole cost is seen, not only the
    two services'."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        **_servers_cpu(stack),
        **{name: process.cpu_seconds() for name, process in stack.services.items()},
        "bench client": usage.ru_utime + usage.ru_stime,
    }


def _cpu_split(before: dict[str, float], after: dict[str, float], lines: int) -> str:
    """`name ms` per line of each group, largest first, and their sum."""
    per_line = {n: (after[n] - before[n]) / lines * 1000 for n in after}
    shown = ", ".join(f"{n} {ms:.3f}" for n, ms in sorted(per_line.items(), key=lambda i: -i[1]))
    return f"{shown}; machine {sum(per_line.values()):.3f} ms/line"


@dataclasses.dataclass
class _Counters:
    """CPU so far of a stack's processes, taken (`take`) once the stack has settled,
    just before the import's first byte."""

    stack: Any
    processes: dict[str, Any]
    services: dict[str, float] = dataclasses.field(default_factory=dict)
    servers: dict[str, float] = dataclasses.field(default_factory=dict)
    machine: dict[str, float] = dataclasses.field(default_factory=dict)
    backends: dict[int, tuple[str, float]] = dataclasses.field(default_factory=dict)

    async def take(self) -> None:
        self.services = {n: p.cpu_seconds() for n, p in self.processes.items()}
        self.servers = _servers_cpu(self.stack)
        self.machine = _machine_cpu(self.stack)
        self.backends = await _backends_cpu(self.stack.database_url)


async def _cli(arguments: Any) -> None:
    import shutil
    import statistics

    from tests.bench.processes import py_spy_command, schema_of
    from tests.bench.write_cpu import Side, start_side

    sides: list[Side] = []
    try:
        sides.append(await start_side("this checkout", None, arguments.practitioners))
        if arguments.baseline:
            sides.append(await start_side("baseline", arguments.baseline, arguments.practitioners))
        for side in sides:
            await _on_every_roster(side.stack, side.writes)
            if arguments.calibrated:
                await _calibrate_observers(side.stack, side.writes)
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
                            py_spy_command(),
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
                batches_before = await _batches(stack.database_url, schema_of("certification"))
                counters = _Counters(stack, services)
                timeline: list[str] = []
                rate, seconds = await import_to_certified(
                    services["fidelity"].url,
                    stack.secret,
                    stack.database_url,
                    schema_of("certification"),
                    [side.writes.practitioner(w) for w in range(side.writes.clients)],
                    arguments.lines,
                    timeline if arguments.timeline else None,
                    started=counters.take,
                    in_date_order=(
                        (round_number, arguments.rounds) if arguments.in_date_order else None
                    ),
                )
                cpu = {
                    n: (p.cpu_seconds() - counters.services[n]) / arguments.lines * 1000
                    for n, p in services.items()
                }
                servers = {
                    n: (seconds - counters.servers[n]) / arguments.lines * 1000
                    for n, seconds in _servers_cpu(stack).items()
                }
                machine = _cpu_split(counters.machine, _machine_cpu(stack), arguments.lines)
                backends = _backends_split(
                    counters.backends, await _backends_cpu(stack.database_url), arguments.lines
                )
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
                print(f"  CPU per line: {machine}", flush=True)
                print(f"  PostgreSQL backends' CPU per line: {backends}", flush=True)
                if timeline:
                    print("\n".join(timeline), flush=True)
        if arguments.statements:
            await _statement_times(sides[0], arguments.lines)
        if arguments.statement_cpu:
            await _statement_cpu(sides[0], arguments.lines)
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
        "--timeline",
        action="store_true",
        help="print when each fidelity batch and certification transaction began",
    )
    parser.add_argument(
        "--in-date-order",
        action="store_true",
        help="lines oldest first, each round's dated after the round before's",
    )
    parser.add_argument(
        "--calibrated",
        action="store_true",
        help="the import's observers calibrated first, so every line is also checked for"
        " drift against its practitioner's history (as an agency's calibrated history is)",
    )
    parser.add_argument(
        "--statements",
        action="store_true",
        help="then one more import of this checkout's with PostgreSQL's time per statement",
    )
    parser.add_argument(
        "--statement-cpu",
        action="store_true",
        help="then one more import of this checkout's with PostgreSQL's CPU per statement"
        " and step (parse, bind, execute), from log_statement_stats",
    )
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
