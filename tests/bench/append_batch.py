"""The kernel's batch append (`EventStore.append_streams`) alone, as certification's
intake uses it: figure 2's evidence stored, free of everything around it.

Each of ``--rounds`` rounds appends ``--events`` `evidence_received` events (the import's
observations, ``--streams`` practitioners in turn, built as the intake builds them) in
batches of ``--batch``, each in its own transaction, as sent (``as_sent``, the intake's
mode), after the rounds before them: each round prints this process's CPU and
PostgreSQL's per event, so the cost's growth with each stream's history shows (the
appended events counted in the metrics, as a service's store counts them).
``--instructions`` runs the same under valgrind's callgrind (a few minutes) and then
counts the instructions of one more batch append of ``--batch`` events in this
process (tests/bench/callgrind.py), the steadiest measure on a busy machine.
Against another checkout: ``PYTHONPATH=DIR python -m tests.bench.append_batch`` from
DIR. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from prometheus_client import CollectorRegistry

from services.certification.handlers.batch_intake import _received
from services.certification.handlers.intake import upstream_parts
from shared.config import ServiceSettings
from shared.database import create_pool
from shared.events import PendingEvent
from shared.eventstore import EventStore
from shared.metrics import ServiceMetrics
from shared.schema.kernel_tables import KERNEL_SCHEMA
from shared.schema.runner import migrate
from shared.servers import PostgresServer
from tests.bench.callgrind import counted, start_counting
from tests.bench.intake_batches import AGENCY, observations
from tests.bench.rebuild_phases import _postgres_cpu

DATABASE = "bench"
_DUMPS = "append"


def _evidence(streams: int, events: int, round_number: int, rounds: int) -> list[PendingEvent]:
    """A round's `evidence_received` events, as certification's batch intake builds them."""
    ids = [f"p-{n:03d}" for n in range(streams)]
    pending = []
    for event in observations(ids, events, date.today(), (round_number, rounds)):
        item = upstream_parts(event)[0]
        assert item is not None
        pending.append(_received(AGENCY, event, item))
    return pending


def _batch(pending: list[PendingEvent]) -> list[tuple[str, list[PendingEvent]]]:
    return [(f"evidence-{AGENCY}-{p.subject}", [p]) for p in pending]


async def measure(
    pg: PostgresServer,
    streams: int,
    events: int,
    rounds: int,
    batch: int,
    counted_in: Path | None = None,
) -> None:
    settings = ServiceSettings(
        service_name="bench",
        environment="test",
        database_url=pg.dsn(DATABASE),
        db_schema="bench_append",
    )
    pool = await create_pool(settings, max_size=2)
    await migrate(settings, KERNEL_SCHEMA, pool)
    store = EventStore(pool, notify_channel="bench_append_events")
    store.on_appended = ServiceMetrics(CollectorRegistry(), "bench").count_appended
    batches = [_evidence(streams, events, n, rounds + 1) for n in range(1, rounds + 2)]
    try:
        for round_number, pending in enumerate(batches[:rounds], start=1):
            gc.collect()
            own, database = time.process_time(), _postgres_cpu(pg)
            for start in range(0, len(pending), batch):
                async with store.transaction() as conn:
                    chunk = _batch(pending[start : start + batch])
                    stored = await store.append_streams(conn, chunk, as_sent=True)
                assert len(stored) == len(chunk)
            service = (time.process_time() - own) / events * 1e6
            postgres = (_postgres_cpu(pg) - database) / events * 1e6
            print(
                f"round {round_number}: {events:,} events to {streams} streams"
                f" in batches of {batch};"
                f" CPU per event: service {service:.1f} us, PostgreSQL {postgres:.1f} us"
                f" ({round_number * events // streams} events per stream after it)",
                flush=True,
            )
        if counted_in is not None:
            async with store.transaction() as conn:
                pid = str(os.getpid())
                start_counting(pid)
                await store.append_streams(conn, _batch(batches[-1][:batch]), as_sent=True)
                spent = counted(pid, counted_in, _DUMPS, "append_batch")
            print(
                f"one batch append of {batch:,} events: {spent:,} instructions,"
                f" {spent // batch:,} per event"
            )
    finally:
        await pool.close()


def _under_callgrind(arguments: list[str]) -> None:
    """This tool again under callgrind, instrumentation off until the counted append."""
    with tempfile.TemporaryDirectory(prefix="miiwrap-append-callgrind-") as out:
        subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                "--instr-atstart=no",
                f"--callgrind-out-file={out}/{_DUMPS}.%p.callgrind",
                sys.executable,
                "-m",
                "tests.bench.append_batch",
                *arguments,
                "--counted-in",
                out,
            ],
            check=True,
        )


async def main(streams: int, events: int, rounds: int, batch: int, counted_in: Path | None) -> None:
    root = Path(tempfile.mkdtemp(prefix="miiwrap-append-batch-"))
    os.chmod(root, 0o755)
    pg = PostgresServer(root / "pgdata")
    pg.start()
    try:
        pg.create_database(DATABASE)
        await measure(pg, streams, events, rounds, batch, counted_in)
    finally:
        pg.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--streams", type=int, default=64)
    parser.add_argument("--events", type=int, default=5_000)
    parser.add_argument("--batch", type=int, default=1_000)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--instructions", action="store_true", help="under valgrind")
    parser.add_argument("--counted-in", type=Path, default=None, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.instructions:
        _under_callgrind([a for a in sys.argv[1:] if a != "--instructions"])
    else:
        asyncio.run(
            main(
                arguments.streams,
                arguments.events,
                arguments.rounds,
                arguments.batch,
                arguments.counted_in,
            )
        )
