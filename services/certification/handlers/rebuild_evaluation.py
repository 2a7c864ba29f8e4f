"""A rebuild's last step: every practitioner evaluated as of today, folds beside the database.

The folds run in jobs of `rebuild_fold_job_size` practitioners in the service's worker
processes (`FOLDING`; inline when it has none, or for an agency too small to be worth
starting them, or that fits in one job) while this process keeps PostgreSQL busy: the inputs of
the next jobs are read and the rows of folded ones written while the workers fold, up
to two jobs per worker in flight; rows are written in job order. A practitioner whose
fold has nothing to publish (the usual case: the live projection was up to date) gets
its rows by COPY, the tables being empty after the rebuild's drop; one that has news
goes through `refresh_many`, as a live evaluation would, which folds it again in this
process and publishes.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import BrokenExecutor, Executor
from dataclasses import dataclass, replace
from datetime import date

from services.certification.adapters import evaluation_reads, status_rows, window_rows
from services.certification.adapters.calibration_rows import calibrations_of
from services.certification.adapters.metrics import FOLD_SECONDS
from services.certification.config import CertificationSettings
from services.certification.domain.calibrations import Calibration
from services.certification.domain.policy import Policy
from services.certification.handlers.evaluation import refresh_many
from services.certification.handlers.fold_jobs import Folded, FoldJob, fold_job
from services.certification.handlers.rebuild_guesses import Guesses
from shared.database import Connection
from shared.eventstore import EventStore
from shared.extras import RuntimeExtra
from shared.service import Runtime
from shared.worker_processes import WorkerProcesses

JOBS_PER_WORKER = 2  # in flight: one folding, one queued while its rows are written


@dataclass(frozen=True)
class Folding:
    """Where a rebuild folds: the service's worker processes, in jobs of ``job_size``
    practitioners, for an agency whose log holds at least ``start_from`` events (each
    worker costs about half a second of CPU to start: a small agency folds faster
    inline) or while they are running anyway."""

    workers: WorkerProcesses
    job_size: int
    start_from: int = 0

    @contextlib.contextmanager
    def lease(self, logged_events: int) -> Iterator[Executor | None]:
        """The workers for a rebuild of an agency with that many events (started now if
        need be, so they start while its log is replayed); None: fold inline."""
        if self.workers.started or logged_events >= self.start_from:
            with self.workers.lease() as executor:
                yield executor
        else:
            yield None


# the service's folding, put by its composition root
FOLDING: RuntimeExtra[Folding] = RuntimeExtra("folding")


MOST_DEFAULT_WORKERS = 4  # each holds its own memory (about 60-130 MB while it lives)


def default_worker_count() -> int:
    """One worker per CPU this process may run on, at most `MOST_DEFAULT_WORKERS`: in a
    container `os.cpu_count()` is the node's count, and a worker per CPU of a large node
    would hold more memory than a pod is given."""
    return max(1, min(len(os.sched_getaffinity(0)), MOST_DEFAULT_WORKERS))


def folding(settings: CertificationSettings) -> Folding:
    """The service's folding as configured (no worker started yet)."""
    count = settings.rebuild_workers
    workers = WorkerProcesses(
        default_worker_count() if count is None else count,
        preload=(fold_job.__module__,),
        idle_seconds=settings.rebuild_workers_idle_seconds,
    )
    return Folding(workers, settings.rebuild_fold_job_size, settings.rebuild_workers_from)


async def stop_folding(runtime: Runtime) -> None:
    """Stop the service's fold workers, if any started (the service is stopping)."""
    found = FOLDING.get(runtime)
    if found is not None:
        await asyncio.to_thread(found.workers.shutdown)


async def evaluate_everyone(
    conn: Connection,
    store: EventStore,
    agency_id: str,
    practitioner_ids: Sequence[str],
    today: date,
    policy: Policy,
    folding: Folding | None,
    executor: Executor | None,
    guesses: Guesses | None = None,
) -> int:
    """Evaluate and store each practitioner (the agency's status rows were dropped),
    folding in ``executor`` (None: inline) what was not guessed right; the number of
    events published."""
    holding = (
        await evaluation_reads.evaluation_inputs(conn, agency_id, [], with_evidence=False)
    ).open_window_id
    policy_json = policy.model_dump_json()
    job_size = folding.job_size if folding is not None else len(practitioner_ids) or 1
    if len(practitioner_ids) <= job_size:
        executor = None  # one job: nothing to fold beside this process's work
    if holding is not None or executor is None:
        guesses = None  # a guess plans publication: none while a window holds the agency
    calibrations = frozenset(await calibrations_of(conn, agency_id)) if guesses else frozenset()
    most_in_flight = JOBS_PER_WORKER * (folding.workers.count if folding is not None else 0)
    in_flight: deque[tuple[list[str], asyncio.Future[list[Folded]]]] = deque()
    published = 0

    async def store_oldest() -> int:
        ids, folded = in_flight.popleft()
        return await _store(conn, store, agency_id, ids, await folded, today, policy, holding)

    try:
        for start in range(0, len(practitioner_ids), job_size):
            ids = list(practitioner_ids[start : start + job_size])
            job = await _job(conn, agency_id, ids, today, policy_json, holding)
            if executor is None:
                published += await _store(
                    conn, store, agency_id, ids, fold_job(job), today, policy, holding
                )
                continue
            guessed = await _guessed(guesses, job, calibrations) if guesses else {}
            in_flight.append((ids, _folded(executor, job, guessed)))
            while in_flight and (in_flight[0][1].done() or len(in_flight) > most_in_flight):
                published += await store_oldest()
        while in_flight:
            published += await store_oldest()
    except BrokenExecutor:
        if folding is not None:
            folding.workers.discard()  # a worker died: the next rebuild starts new ones
        raise
    finally:
        for _, unfinished in in_flight:  # after an error: nothing is left running for us
            unfinished.cancel()
    return published


async def _guessed(
    guesses: Guesses, job: FoldJob, calibrations: frozenset[Calibration]
) -> dict[str, Folded]:
    """The job's practitioners whose guessed fold had exactly the job's inputs."""
    assert job.announced is not None  # guesses are only used when publishing
    found = {}
    for practitioner_id, texts in job.evidence.items():
        folded = await guesses.take(
            practitioner_id, texts, job.announced[practitioner_id], job.policy_json, calibrations
        )
        if folded is not None:
            found[practitioner_id] = folded
    return found


def _folded(
    executor: Executor, job: FoldJob, guessed: dict[str, Folded]
) -> asyncio.Future[list[Folded]]:
    """The job's folds, in its order: the guessed ones, the others folded by a worker."""
    rest = {p: texts for p, texts in job.evidence.items() if p not in guessed}
    if not rest:
        done: asyncio.Future[list[Folded]] = asyncio.get_running_loop().create_future()
        done.set_result([guessed[p] for p in job.evidence])
        return done
    folding = asyncio.wrap_future(executor.submit(fold_job, replace(job, evidence=rest)))
    if not guessed:
        return folding

    async def merged() -> list[Folded]:
        others = iter(await folding)
        return [guessed[p] if p in guessed else next(others) for p in job.evidence]

    return asyncio.ensure_future(merged())


async def _job(
    conn: Connection,
    agency_id: str,
    ids: list[str],
    today: date,
    policy_json: str,
    holding: str | None,
) -> FoldJob:
    evidence, calibrations = await evaluation_reads.fold_inputs(conn, agency_id, ids)
    return FoldJob(
        policy_json=policy_json,
        today=today,
        calibrations=calibrations,
        evidence=evidence,
        announced=None if holding else await status_rows.announced_of(conn, agency_id, ids),
    )


async def _store(
    conn: Connection,
    store: EventStore,
    agency_id: str,
    ids: list[str],
    folded: list[Folded],
    today: date,
    policy: Policy,
    holding: str | None,
) -> int:
    """Write a job's rows; publish (and store) those with news as a live evaluation."""
    for f in folded:
        FOLD_SECONDS.observe(f.fold_seconds)
    await status_rows.copy_new_status_rows(
        conn, agency_id, [f.row for f in folded if not f.has_news]
    )
    if holding is not None:
        await window_rows.hold(conn, agency_id, holding, ids)
    with_news = [f.row.practitioner_id for f in folded if f.has_news]
    if not with_news:
        return 0
    evaluated = await refresh_many(conn, store, agency_id, with_news, today, policy=policy)
    return sum(len(e.published) for e in evaluated.values())
