"""`make bench`: the system end to end on its own servers, each figure beside its raw ceiling.

One run starts PostgreSQL, NATS JetStream, the four services (each its own uvicorn
process, as `make run` runs them) and a bare FastAPI + asyncpg endpoint, then measures:

- the ceilings: batched INSERT, JetStream `publish_async` and ordered read, the bare
  endpoint's one-INSERT-per-request writes at 16 and 64 clients;
- 1. each service's main create at 16 and 64 clients (tests/bench/writes.py);
- 4. observation POST → the agency subscriber hears the transition (transitions.py);
- 2. a bulk NDJSON import to certification's state committed (bulk_import.py);
- then the large dataset is COPYed into certification's store (dataset.py) and:
- 5. certification's rebuild of every agency (`POST /projections/rebuild`);
- 3. GET certification state and the board list at 50 clients, one agency: the board's
  first page (every client asks the same page, so requests that arrive together share
  one query: shared/shared_reads.py) and a random page each (no query shared);
- 6. each service's resident memory on that data; 7. its time to start on it.

It prints the table and writes bench/report.md and bench/figures.png. Nothing is
asserted: a shared machine, so read the ratios, not the absolute numbers.

`python -m tests.bench.system_bench [--quick] [--out bench] [--workers N]`
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import asyncpg
import httpx

from system.topology import SERVICES
from tests.bench import ceilings, dataset, tail
from tests.bench.bulk_import import import_to_certified, settled
from tests.bench.load import Outcome, closed_loop, run_on_uvloop
from tests.bench.processes import REPO_ROOT, SUBJECT_ROOT, BenchStack, schema_of
from tests.bench.reads import certification_reads
from tests.bench.report import (
    AT_LEAST_CEILING_SHARE,
    AT_MOST,
    Figure,
    Target,
    markdown_table,
    write_report,
)
from tests.bench.transitions import AGENCY as LATENCY_AGENCY
from tests.bench.transitions import EVIDENCE_PER_SAMPLE, TransitionLatency
from tests.bench.writes import MAIN_CREATE, Tokens, Writes

CLIENT_COUNTS = (16, 64)
READ_CLIENTS = 50
UPSTREAM = ("learning", "coaching", "fidelity")


@dataclass(frozen=True)
class Sizes:
    mode: str
    raw_rows: int
    raw_messages: int
    write_seconds: float
    samples: int
    import_lines: int
    shape: dataset.Shape
    read_seconds: float
    rebuild_budget: float  # no agency's rebuild is started after this many seconds


FULL = Sizes("full", 200_000, 100_000, 6.0, 200, 5_000, dataset.Shape(10, 10_000), 8.0, 150.0)
QUICK = Sizes("quick", 20_000, 20_000, 1.5, 100, 1_000, dataset.Shape(1, 1_000), 2.0, 60.0)


def log(message: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {message}", flush=True)


async def wait_for(what: str, check: object, timeout: float) -> float:
    """Seconds until the async `check()` is true."""
    started = time.monotonic()
    while not await check():  # type: ignore[operator]
        if time.monotonic() - started > timeout:
            raise TimeoutError(f"{what}: not within {timeout:.0f} s")
        await asyncio.sleep(0.2)
    return time.monotonic() - started


class Bench:
    def __init__(self, sizes: Sizes, stack: BenchStack) -> None:
        self.sizes = sizes
        self.stack = stack
        self.figures: list[Figure] = []
        self.notes: list[str] = []

    @property
    def urls(self) -> dict[str, str]:
        return {name: process.url for name, process in self.stack.services.items()}

    async def ceilings(self) -> None:
        dsn = self.stack.database_url
        log("ceiling: raw PostgreSQL batched INSERT")
        self.insert_rate = await ceilings.postgres_batched_insert(dsn, self.sizes.raw_rows)
        log("ceiling: raw JetStream publish_async and ordered read")
        self.publish_rate, self.read_rate = await ceilings.jetstream_publish_and_read(
            self.stack.nats.url, self.sizes.raw_messages
        )
        log("ceiling: bare FastAPI + asyncpg endpoint")
        self.stack.bare.start(self.stack.environment())
        self.stack.bare.wait_ready()
        self.bare: dict[int, Outcome] = {}
        for clients in CLIENT_COUNTS:
            self.bare[clients] = await ceilings.bare_endpoint(
                self.stack.bare.url, clients, self.sizes.write_seconds, self.stack.bare.cpu_seconds
            )
        self.stack.bare.stop()
        self.notes.append(
            f"Ceilings: batched INSERT {self.insert_rate:,.0f} rows/s (1,000 rows a "
            f"transaction); JetStream publish_async {self.publish_rate:,.0f} msgs/s, ordered "
            f"read {self.read_rate:,.0f} msgs/s ({self.sizes.raw_messages:,} CloudEvent-sized "
            "messages); bare endpoint "
            + ", ".join(f"{c} clients {o.rate:,.0f} req/s" for c, o in self.bare.items())
            + ". Figure 1 also gives the CPU the service process spent per write beside the"
            " bare endpoint's per request: steadier than the rates while other work shares"
            " the machine. Each service's rows start once certification has taken in the"
            " evidence the previous rows' writes made (no new evidence for 1 s), so no row"
            " is measured on top of that backlog."
        )

    async def single_writes(self, conn: asyncpg.Connection) -> None:  # type: ignore[type-arg]
        writes = Writes(self.urls, self.stack.secret, max(CLIENT_COUNTS))
        await writes.prepare()
        for service in SERVICES:
            # certification takes in the evidence the previous service's writes made:
            # measured on top of that backlog, a write would be charged for its intake
            await settled(conn, schema_of("certification"), "writes", quiet=1.0)
            for clients in CLIENT_COUNTS:
                log(f"figure 1: {service} {MAIN_CREATE[service]}, {clients} clients")
                process = self.stack.services[service]
                outcome = await writes.measure(
                    service, clients, self.sizes.write_seconds, process.cpu_seconds
                )
                failed = f", {outcome.failed} failed" if outcome.failed else ""
                self.figures.append(
                    Figure(
                        "1",
                        f"{service} {MAIN_CREATE[service]}, {clients} clients",
                        outcome.rate,
                        "writes/s",
                        "bare endpoint",
                        self.bare[clients].rate,
                        Target(AT_LEAST_CEILING_SHARE, 0.5),
                        f"p50 {outcome.median_ms:.0f} ms, p99 {outcome.percentile_ms(0.99):.0f} ms;"
                        f" service CPU {outcome.cpu_ms_per_request:.1f} ms/write, bare"
                        f" {self.bare[clients].cpu_ms_per_request:.1f}" + failed,
                    )
                )

    async def transition_latency(self, conn: asyncpg.Connection) -> None:  # type: ignore[type-arg]
        latency = TransitionLatency(self.urls, self.stack.secret, self.stack.nats.url, SUBJECT_ROOT)
        log("figure 4: preparing the samples' histories")
        expected = await latency.prepare(self.sizes.samples)
        schema = schema_of("certification")

        async def taken_in() -> bool:
            from tests.bench.bulk_import import evidence_count

            return await evidence_count(conn, schema, LATENCY_AGENCY) >= expected

        await wait_for("the samples' histories at certification", taken_in, 300)
        await settled(conn, schema, "writes")
        log(f"figure 4: {self.sizes.samples} observation POSTs → subscriber")
        outcome = await latency.measure(self.sizes.samples)
        failed = f", {outcome.failed} not heard" if outcome.failed else ""
        self.figures.append(
            Figure(
                "4",
                "observation POST → agency subscriber hears the transition, p99",
                outcome.percentile_ms(0.99),
                "ms",
                target=Target(AT_MOST, 100),
                detail=f"p50 {outcome.median_ms:.0f} ms, max {outcome.percentile_ms(1.0):.0f} ms,"
                f" {outcome.done} samples{failed}",
            )
        )
        assert EVIDENCE_PER_SAMPLE * self.sizes.samples == expected
        self.notes.append(
            f"Figure 4 takes {self.sizes.samples} samples, one POST at a time: with fewer,"
            " the p99 is just the slowest one."
        )

    async def bulk_import(self) -> None:
        lines = self.sizes.import_lines
        log(f"figure 2: bulk import of {lines:,} observations → certification committed")
        practitioners = [f"w-{n}" for n in range(max(CLIENT_COUNTS))]
        services = {name: self.stack.services[name] for name in ("fidelity", "certification")}
        cpu_before = {name: process.cpu_seconds() for name, process in services.items()}
        rate, seconds = await import_to_certified(
            self.urls["fidelity"],
            self.stack.secret,
            self.stack.database_url,
            schema_of("certification"),
            practitioners,
            lines,
        )
        self.figures.append(
            Figure(
                "2",
                f"bulk NDJSON import ({lines:,} observations),"
                " first byte → certification committed",
                rate,
                "events/s",
                "publish_async",
                self.publish_rate,
                Target(AT_LEAST_CEILING_SHARE, 0.25),
                f"{seconds:.1f} s; service CPU per line: "
                + ", ".join(
                    f"{name} {(process.cpu_seconds() - cpu_before[name]) / lines * 1000:.2f} ms"
                    for name, process in services.items()
                ),
            )
        )
        self.notes.append(
            f"Figure 2 imports {lines:,} observations (of {len(practitioners)} practitioners):"
            " enough that the rate is the pipeline's throughput rather than its fixed delays"
            " (the first batch's way through, the last one's). Its service CPU per line is"
            " each process's over the whole way: fidelity's POST, import worker and relay,"
            " certification's intake and evaluation. The clock stops when the evidence of"
            " the import's observers stored after it began counts every line (polled every"
            " 50 ms, each poll reading only the transactions it has not counted yet: a count"
            " of every row after the import's first position cost the database about 5 ms a"
            " poll by the import's end, a tenth of a millisecond of CPU per line)."
        )

    async def load_dataset(self, conn: asyncpg.Connection) -> None:  # type: ignore[type-arg]
        shape = self.sizes.shape
        dsn, schema = self.stack.database_url, schema_of("certification")

        async def relayed() -> bool:
            return await dataset.relayed_everything(dsn, schema)

        await wait_for("certification's relay to publish what it holds", relayed, 120)
        log(f"loading {shape.practitioners:,} practitioners, {shape.events:,} events (COPY)")
        rows, seconds = await dataset.load(
            dsn, schema, [schema_of(s) for s in UPSTREAM], shape, date.today()
        )
        self.notes.append(
            f"Dataset: {shape.agencies} agencies × {shape.practitioners_per_agency:,} "
            f"practitioners = {shape.practitioners:,} practitioners, {rows:,} events in "
            f"certification's store and the three roster copies, COPYed in one transaction in "
            f"{seconds:.1f} s ({rows / seconds:,.0f} events/s), then vacuumed, analyzed and "
            "checkpointed as a restored database is before it serves (before that, the "
            "load's checkpoint and autovacuum's pass over a million fresh rows ran during "
            "the first rebuilds and cost PostgreSQL about a third more CPU over figure 5); "
            "see tests/bench/dataset.py."
        )

    async def rebuild(self) -> None:
        shape = self.sizes.shape
        replayed = rebuilt = 0
        certification = self.stack.services["certification"]
        cpu_before = certification.cpu_seconds()  # steadier than the rate on a shared machine
        database_before = self.stack.postgres_cpu_seconds()
        started = time.perf_counter()
        async with httpx.AsyncClient(timeout=3600) as http:
            for n in range(shape.agencies):
                if time.perf_counter() - started > self.sizes.rebuild_budget:
                    break
                rebuilt += 1
                agency = shape.agency(n)
                log(f"figure 5: rebuild of {agency}")
                answer = await http.post(
                    f"{self.urls['certification']}/projections/rebuild",
                    headers=Tokens(self.stack.secret, agency)(),
                )
                if answer.status_code != 200:
                    raise RuntimeError(f"rebuild: {answer.status_code} {answer.text[:400]}")
                replayed += int(answer.json()["events_replayed"])
        seconds = time.perf_counter() - started
        cpu = certification.cpu_seconds() - cpu_before
        database = self.stack.postgres_cpu_seconds() - database_before
        if rebuilt < shape.agencies:
            self.notes.append(
                f"Rebuild: {rebuilt} of {shape.agencies} agencies were rebuilt within the "
                f"{self.sizes.rebuild_budget:.0f} s budget; the other agencies' projections "
                "stay empty, so figures 6 and 7 see their logs and roster copies but not "
                "their certification projections."
            )
        self.notes.append(
            "Rebuild beside its ceiling: the ordered read is JetStream handing over raw "
            "messages; a rebuild reads certification's log from PostgreSQL, writes every "
            "projection row and folds each practitioner's certification as of today, so "
            "its bound is the fold's CPU (`python -m tests.bench.fold_bench` measures it "
            "per practitioner), not the read."
        )
        self.figures.append(
            Figure(
                "5",
                f"certification rebuild, {rebuilt} of {shape.agencies} agencies, "
                f"{replayed:,} events",
                replayed / seconds,
                "events/s",
                "ordered read",
                self.read_rate,
                Target(AT_LEAST_CEILING_SHARE, 0.5),
                f"{seconds:.1f} s; service CPU {cpu:.2f} s, PostgreSQL CPU {database:.2f} s",
            )
        )

    async def reads(self) -> None:
        shape = self.sizes.shape
        agency = shape.agency(0)
        headers = Tokens(self.stack.secret, agency)()
        url = self.urls["certification"]
        size = shape.practitioners_per_agency
        reads = certification_reads(url, headers, size)

        for label, route, request in (
            (
                f"GET certification state, {READ_CLIENTS} clients, agency of {size:,}",
                "/practitioners/{practitioner_id}/certification",
                reads["state"],
            ),
            (
                f"GET /practitioners (board list, first page), {READ_CLIENTS} clients",
                "/practitioners",
                reads["board"],
            ),
            (
                f"GET /practitioners (board list, a random page each: no query shared), "
                f"{READ_CLIENTS} clients",
                "/practitioners",
                reads["board_pages"],
            ),
        ):
            log(f"figure 3: {label}")
            process = self.stack.services["certification"]
            before = await tail.scrape(url, route)
            outcome = await closed_loop(
                READ_CLIENTS, self.sizes.read_seconds, request, process.cpu_seconds
            )
            after = await tail.scrape(url, route)
            self.notes.append(tail.tail_note(route, before, after, outcome, READ_CLIENTS))
            failed = f", {outcome.failed} failed" if outcome.failed else ""
            self.figures.append(
                Figure(
                    "3",
                    label + ", p99",
                    outcome.percentile_ms(0.99),
                    "ms",
                    target=Target(AT_MOST, 20),
                    detail=f"p50 {outcome.median_ms:.0f} ms, {outcome.rate:,.0f} req/s;"
                    f" service CPU {outcome.cpu_ms_per_request:.2f} ms/request, load client"
                    f" {outcome.client_cpu_ms_per_request:.2f}{failed}",
                )
            )
        self.notes.append(
            "Figure 3's board list is measured twice. On the first page every client asks "
            "the same page, and identical requests that arrive while its query waits for a "
            "connection share that query (shared/shared_reads.py: every answer is read after "
            "its request arrived; nothing is cached). On a random page each, requests "
            "seldom coincide, so the row shows the board's cost without sharing."
        )

    def memory_and_start(self) -> None:
        shape = self.sizes.shape
        for name, process in self.stack.services.items():
            self.figures.append(
                Figure(
                    "6",
                    f"{name} resident memory, {shape.practitioners:,} practitioners",
                    process.rss_mb(),
                    "MB",
                    target=Target(AT_MOST, 300) if name == "certification" else None,
                )
            )
        for name in self.stack.services:
            log(f"figure 7: restarting {name}")
            seconds = self.stack.restart(name)
            self.figures.append(
                Figure("7", f"{name} start to /readyz 200 on that data", seconds, "s")
            )


def revision() -> str:
    found = subprocess.run(
        ["git", "-C", str(REPO_ROOT), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    )
    return found.stdout.strip() or "unknown"


async def run(sizes: Sizes, stack: BenchStack) -> Bench:
    bench = Bench(sizes, stack)
    log(f"servers under {stack.root}")
    stack.start_servers()
    await bench.ceilings()
    log("starting the four services")
    stack.start_services()
    conn = await asyncpg.connect(stack.database_url)
    try:
        await bench.single_writes(conn)
        await bench.transition_latency(conn)
        await bench.bulk_import()
        await bench.load_dataset(conn)
        await bench.rebuild()
        await bench.reads()
        bench.memory_and_start()
    finally:
        await conn.close()
    return bench


def main(sizes: Sizes, out: Path, workers: int = 1) -> None:
    started = time.monotonic()
    stack = BenchStack(workers=workers)
    finished = False
    try:
        bench = run_on_uvloop(run(sizes, stack))
        finished = True
    finally:
        stack.stop()
        if finished:
            shutil.rmtree(stack.root, ignore_errors=True)  # a million events: not left in /tmp
        else:
            print(f"the servers' data and logs are kept in {stack.root}", file=sys.stderr)
    elapsed = time.monotonic() - started
    order = {"1": 0, "2": 1, "3": 2, "4": 3, "5": 4, "6": 5, "7": 6}
    figures = sorted(bench.figures, key=lambda f: order[f.number])
    preamble = [
        f"`make bench{' ARGS=--quick' if sizes.mode == 'quick' else ''}` ({sizes.mode} mode) "
        f"at {revision()}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, on {platform.node()} "
        f"({platform.machine()}, {_cpus()} CPUs); the whole run took {elapsed:.0f} s.",
        "",
        "Every figure was measured in this run on the same PostgreSQL (fsync on) and NATS "
        "servers as its ceiling; the machine is shared, so read the ratios.",
        "",
        f"- Processes: each service and the bare endpoint ran as uvicorn with {workers} "
        f"worker process{'es' if workers > 1 else ''} and the services' own server options "
        "(`system.devstack.UVICORN_HARDENING`: the httptools parser under the kernel's 32 KiB "
        "limit on a request head, uvloop); CPU and resident memory are summed over "
        "a service's processes. Load: closed loops in the bench's one Python process, each "
        "with its own keep-alive HTTP/1.1 connection and a lean client "
        "(tests/bench/http_client.py, on uvloop: about 0.08 ms of client CPU a request where "
        "httpx took about 2 ms), the same for every figure and its ceiling.",
        *[f"- {note}" for note in bench.notes],
    ]
    path = write_report(out, "MiiWrap end-to-end benchmark", preamble, figures)
    print()
    print(markdown_table(figures))
    print(f"\nreport: {path} (chart: {path.parent / 'figures.png'}); {elapsed:.0f} s in all")


def _cpus() -> int:
    import os

    return os.cpu_count() or 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: about a minute")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "bench")
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="uvicorn worker processes of each service and of the bare endpoint alike",
    )
    arguments = parser.parse_args()
    main(QUICK if arguments.quick else FULL, arguments.out, max(1, arguments.workers))
