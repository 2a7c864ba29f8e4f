"""`make chaos`: faults at load, then exactly-once and rebuild checks, as a table.

    python -m tests.chaos.run                      # everything, full durations
    python -m tests.chaos.run --replicas 1 --faults kill-learning,pg-restart --nats-down 5

For each replica count a fresh stack (PostgreSQL, NATS JetStream, the four services ×
N uvicorn processes sharing one schema per service) is started. Each fault is one
phase: writers load all four services, the fault is injected and undone, a canary write
on each upstream service measures when the flow is back (recovery: from the moment the
fault is undone until the canary, or the event of it certification reads, is in
certification's inbox), the writers stop, and
the phase's acknowledged writes are checked in store, stream and certification;
certification's state is compared with a rebuild. A phase that leaves events behind is
followed by a restart of the services, and the check is repeated, so the next phase
starts healthy and the notes say whether the loss was a stall or for good.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import asyncpg

from services.certification.domain.upstream import delivered
from tests.chaos.stack import SERVICES, UPSTREAM, Stack, schema_of
from tests.chaos.verify import (
    PRIMARY,
    SECONDARY,
    Verdict,
    index_events,
    rebuild_matches,
    verify,
    wait_converged,
)
from tests.chaos.workload import PROGRAM_START, Client, Load, Tally, ago
from tests.fidelity.fidelity_builders import observation

ALL_FAULTS = (
    "kill-learning",
    "kill-coaching",
    "kill-fidelity",
    "kill-certification",
    "nats-down",
    "pg-restart",
    "stack-kill",
)


@dataclass
class Options:
    replicas: list[int] = field(default_factory=lambda: [1, 2])
    faults: list[str] = field(default_factory=lambda: list(ALL_FAULTS))
    writers: int = 8
    nats_down: float = 30.0
    pg_restarts: int = 2
    before: float = 4.0  # load before the fault
    after: float = 4.0  # load after recovery
    recovery_timeout: float = 90.0
    converge_timeout: float = 60.0
    keep: bool = False


@dataclass
class Row:
    fault: str
    replicas: int
    acknowledged: int
    verdict: Verdict | None
    recovery: float | None
    rebuild_ok: bool
    notes: list[str]

    @property
    def clean(self) -> bool:
        return (
            self.verdict is not None
            and self.verdict.clean
            and self.recovery is not None
            and self.rebuild_ok
        )

    def markdown(self) -> str:
        summary = self.verdict.summary() if self.verdict else "not verified"
        recovery = f"{self.recovery:.1f}" if self.recovery is not None else "never"
        name = f"{self.fault} (×{self.replicas})"
        notes = "; ".join(self.notes)
        return f"| {name} | {self.acknowledged} | {summary} | {recovery} | {notes} |"


HEADER = (
    "| fault, under load | acknowledged | lost / doubled (store · stream · certification)"
    " | recovery seconds | notes |\n|---|---:|---|---:|---|"
)


class Canary:
    """One write per service, then: when does certification have it?"""

    def __init__(self, stack: Stack, phase: str) -> None:
        self.stack = stack
        self.phase = phase
        self.tally = Tally()
        self.client = Client(stack, self.tally, give_up_after=120)
        self.practitioner = f"p-canary-{phase}"
        self.count = 0
        self.learner = self.practitioner  # learning's canary: a fresh practitioner each

    async def prepare(self) -> None:
        c, p = self.client, self.practitioner
        body = {
            "practitioner_id": p,
            "role": "facilitator",
            "program_start": PROGRAM_START.isoformat(),
            "coach_id": "coach-canary",
        }
        await c.write("register", "certification", "/practitioners", body, p)
        enrollment = {
            "id": str(uuid.uuid4()),
            "practitioner_id": p,
            "enrolled_on": body["program_start"],
        }
        await c.write("enroll", "learning", "/enrollments", enrollment, enrollment["id"])
        assignment = {
            "id": str(uuid.uuid4()),
            "coach_id": "coach-canary",
            "practitioner_id": p,
            "valid_from": body["program_start"],
            "valid_to": None,
        }
        await c.write("assign", "coaching", "/assignments", assignment, assignment["id"])

    async def through(self, service: str, deadline: float) -> float | None:
        """Seconds from now until a new write on `service` reaches certification.

        Certification reads no attempt, only a mastery: learning's canary is a mastering
        attempt of a practitioner enrolled just before (untimed), and what is watched for
        is its `module_mastered`."""
        if service == "learning":
            self.learner = f"{self.practitioner}-{self.count}"
            enrollment = {
                "id": str(uuid.uuid4()),
                "practitioner_id": self.learner,
                "enrolled_on": PROGRAM_START.isoformat(),
            }
            key = enrollment["id"]
            await self.client.write("enroll", "learning", "/enrollments", enrollment, key)
        loop = asyncio.get_running_loop()
        started = loop.time()
        kind, body = self._write_for(service)
        key = body["id"] if "id" in body else body["practitioner_id"]
        path = {"attempt": "/attempts", "session": "/sessions", "observation": "/observations"}
        role, subject = {
            "attempt": ("admin", "admin-chaos"),
            "session": ("coach", "coach-canary"),
            "observation": ("observer", "observer-canary"),
        }[kind]
        if (
            await self.client.write(
                kind, service, path[kind], body, key, role=role, subject=subject
            )
            is None
        ):
            return None
        primary = PRIMARY[kind]
        _svc, name, _where, _key = primary if delivered(*primary[:2]) else SECONDARY[kind]
        while loop.time() < deadline:
            with contextlib.suppress(OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
                conn = await asyncpg.connect(self.stack.database_url, timeout=2)
                try:
                    index = index_events(
                        {
                            service: await conn.fetch(
                                f"SELECT event_id::text AS event_id, name, data, metadata"
                                f" FROM {schema_of(service)}.events WHERE name = $1",
                                name,
                            )
                        }
                    )
                    ids = index.get((service, name, key), [])
                    if ids and await conn.fetchval(
                        f"SELECT count(*) FROM {schema_of('certification')}.consumer_inbox"
                        " WHERE event_id = $1",
                        ids[0],
                    ):
                        return loop.time() - started
                finally:
                    await conn.close()
            await asyncio.sleep(0.25)
        return None

    def _write_for(self, service: str) -> tuple[str, dict[str, object]]:
        self.count += 1
        if service == "learning":
            return "attempt", {
                "id": str(uuid.uuid4()),
                "practitioner_id": self.learner,
                "module_id": "M1",
                "scaled_score": 0.9,  # masters: its module_mastered reaches certification
                "attempted_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
            }
        if service == "coaching":
            return "session", {
                "id": str(uuid.uuid4()),
                "practitioner_id": self.practitioner,
                "held_on": ago(self.count % 300).isoformat(),
                "duration_minutes": 30,
                "modality": "virtual",
                "components": ["feedback"],
                "competencies": ["FAC"],
                "goal_ids": [],
                "notes": "canary",
            }
        return "observation", observation(
            practitioner_id=self.practitioner,
            observer_id="observer-canary",
            meeting_date=ago(1 + self.count % 300),
        )

    async def recovered_after(self, timeout: float) -> float | None:
        """The slowest upstream service's canary, or None if one did not arrive."""
        deadline = asyncio.get_running_loop().time() + timeout
        times = await asyncio.gather(*(self.through(s, deadline) for s in UPSTREAM))
        if any(t is None for t in times):
            return None
        return max(t for t in times if t is not None)


Fault = Callable[[Stack, Options, list[str]], Awaitable[None]]


def kill_service(service: str) -> Fault:
    async def fault(stack: Stack, options: Options, notes: list[str]) -> None:
        replica = stack.replicas[service][0]
        await asyncio.to_thread(stack.kill_replica, replica)
        if len(stack.replicas[service]) > 1:
            notes.append(f"kill -9 {replica.name}, its twin kept serving")
        await asyncio.sleep(1.0)
        await asyncio.to_thread(stack.start_replica, replica)
        await asyncio.to_thread(stack.wait_ready, [replica], 60)

    return fault


async def nats_down(stack: Stack, options: Options, notes: list[str]) -> None:
    await asyncio.to_thread(stack.nats.stop)
    await asyncio.sleep(options.nats_down)
    await asyncio.to_thread(stack.nats.start)
    notes.append(f"NATS down {options.nats_down:g}s")


async def pg_restart(stack: Stack, options: Options, notes: list[str]) -> None:
    for n in range(options.pg_restarts):
        if n:
            await asyncio.sleep(3.0)
        await asyncio.to_thread(stack.postgres.stop)  # SIGINT: fast shutdown
        await asyncio.sleep(1.0)
        await asyncio.to_thread(stack.start_postgres)
    notes.append(f"PostgreSQL restarted {options.pg_restarts}x (SIGINT)")


async def stack_kill(stack: Stack, options: Options, notes: list[str]) -> None:
    await asyncio.to_thread(stack.kill_all)
    await asyncio.sleep(1.0)
    await asyncio.to_thread(stack.start_postgres)
    await asyncio.to_thread(stack.nats.start)
    for replica in stack.all_replicas():
        await asyncio.to_thread(stack.start_replica, replica)
    await asyncio.to_thread(stack.wait_ready, stack.all_replicas(), 90)


FAULTS: dict[str, Fault] = {
    **{f"kill-{s}": kill_service(s) for s in SERVICES},
    "nats-down": nats_down,
    "pg-restart": pg_restart,
    "stack-kill": stack_kill,
}


def log(message: str) -> None:
    print(f"[{time.strftime('%X')}] {message}", flush=True)


async def run_phase(stack: Stack, options: Options, fault: str, seen: list[str]) -> Row:
    notes: list[str] = []
    phase = f"{fault.replace('-', '')}{stack.replicas_per_service}"
    canary = Canary(stack, phase)
    log_sizes = stack.log_sizes()
    await canary.prepare()
    load = Load(stack, phase, options.writers)
    load.start()
    await asyncio.sleep(options.before)
    log(f"  {fault}: injecting under load ({len(load.tally.acks)} acknowledged so far)")
    await FAULTS[fault](stack, options, notes)
    log(f"  {fault}: undone; waiting for a canary to reach certification")
    recovery = await canary.recovered_after(options.recovery_timeout)
    await asyncio.sleep(options.after)
    await load.stop()
    await canary.client.close()
    acks = load.tally.acks + canary.tally.acks
    seen += [*load.practitioners, canary.practitioner]
    errors = {**load.tally.errors}
    for key, n in canary.tally.errors.items():
        errors[key] = errors.get(key, 0) + n
    five_hundreds = sum(n for k, n in errors.items() if k.endswith(":500"))
    if five_hundreds:
        notes.append(f"{five_hundreds} answers 500 (retried)")
    refused = load.tally.refused + canary.tally.refused
    abandoned = load.tally.abandoned + canary.tally.abandoned
    if refused:
        notes.append(f"{len(refused)} refused: {refused[0][:160]}")
    if abandoned:
        notes.append(f"{len(abandoned)} never acknowledged")
    log(f"  {fault}: {len(acks)} acknowledged; waiting for certification to catch up")
    converged = await wait_converged(stack, acks, options.converge_timeout)
    verdict = await verify(stack, acks)
    if converged is None:
        notes.append(f"certification not caught up after {options.converge_timeout:g}s")
    elif converged >= 2:  # in-flight deliveries of a killed consumer wait out ack_wait
        notes.append(f"certification caught up {converged:.0f}s after the load stopped")
    dead = stack.dead_replicas()
    if dead:
        notes.append(f"replicas exited by themselves: {dead}")
    for name, count in stack.log_lines("Traceback (most recent call last)", log_sizes).items():
        if count:
            notes.append(f"{name} log: {count} tracebacks")
    rebuild_ok, detail = await rebuild_matches(stack, seen)
    notes.append(("rebuild equal: " if rebuild_ok else "REBUILD DIFFERS: ") + detail)
    if verdict.dead_letters:
        notes.append(f"{verdict.dead_letters} dead letters at certification")
    for counts, where in (
        (verdict.store, "store"),
        (verdict.stream, "stream"),
        (verdict.certification, "certification"),
    ):
        if counts.examples:
            notes.append(f"{where}: {', '.join(counts.examples[:2])}")
    row = Row(fault, stack.replicas_per_service, len(acks), verdict, recovery, rebuild_ok, notes)
    if not row.clean:
        log(f"  {fault}: not clean; restarting the services so the next phase starts healthy")
        await asyncio.to_thread(stack.restart_services)
        healed = await wait_converged(stack, acks, options.converge_timeout)
        after = await verify(stack, acks)
        notes.append(
            f"after a restart of the services: {after.summary()}"
            + (f" (caught up in {healed:.0f}s)" if healed is not None else "")
        )
    log("  " + row.markdown())
    return row


async def run_replicas(options: Options, replicas: int) -> list[Row]:
    stack = Stack(replicas, keep=options.keep)
    log(f"stack with {replicas} replica(s) per service in {stack.root}")
    rows: list[Row] = []
    try:
        await asyncio.to_thread(stack.start_servers)
        await asyncio.to_thread(stack.start_services)
        seen: list[str] = []
        for fault in options.faults:
            rows.append(await run_phase(stack, options, fault, seen))
    finally:
        await asyncio.to_thread(stack.stop)
    return rows


async def run(options: Options) -> list[Row]:
    rows: list[Row] = []
    for replicas in options.replicas:
        rows += await run_replicas(options, replicas)
    return rows


def parse(argv: list[str]) -> Options:
    parser = argparse.ArgumentParser(prog="python -m tests.chaos.run", description=__doc__)
    parser.add_argument("--replicas", default="1,2", help="replica counts to run, e.g. 1,2")
    parser.add_argument("--faults", default=",".join(ALL_FAULTS), help="comma-separated")
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--nats-down", type=float, default=30.0, help="seconds NATS is down")
    parser.add_argument("--pg-restarts", type=int, default=2)
    parser.add_argument("--before", type=float, default=4.0, help="seconds of load before")
    parser.add_argument("--after", type=float, default=4.0, help="seconds of load after")
    parser.add_argument("--recovery-timeout", type=float, default=90.0)
    parser.add_argument("--converge-timeout", type=float, default=60.0)
    parser.add_argument("--keep", action="store_true", help="keep the data and logs")
    args = parser.parse_args(argv)
    faults = [f for f in args.faults.split(",") if f]
    unknown = sorted(set(faults) - set(ALL_FAULTS))
    if unknown:
        parser.error(f"unknown faults {unknown}; choose from {', '.join(ALL_FAULTS)}")
    return Options(
        replicas=[int(r) for r in args.replicas.split(",")],
        faults=faults,
        writers=args.writers,
        nats_down=args.nats_down,
        pg_restarts=args.pg_restarts,
        before=args.before,
        after=args.after,
        recovery_timeout=args.recovery_timeout,
        converge_timeout=args.converge_timeout,
        keep=args.keep,
    )


def main(argv: list[str] | None = None) -> int:
    options = parse(sys.argv[1:] if argv is None else argv)
    started = time.monotonic()
    rows = asyncio.run(run(options))
    print()
    print(HEADER)
    for row in rows:
        print(row.markdown())
    failed = [r for r in rows if not r.clean]
    took = time.monotonic() - started
    print(f"\n{len(rows) - len(failed)} of {len(rows)} faults clean in {took:.0f}s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
