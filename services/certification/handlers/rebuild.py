"""Rebuild: drop an agency's projections and replay certification's own log into them.

The log holds every fact the projections come from: the roster and its history
(`practitioner_registered`, `_details_changed`, `_left`, `_returned`), every piece
of evidence (`evidence_received`, whatever service it came from), the observers'
calibrations (`observer_calibration_received`), policy versions
and adoptions, and the transition events already published. One transaction, under
the agency's exclusive lock: writes wait, readers keep the old projection until the
new one commits. The evidence, most of the log, is projected in SQL straight from the
log (`projector.project_logged_evidence`); the roster too when its events are all
registrations. Rows already exactly what the log projects are kept rather than written
again (`logged_rows`: one pass over both), sparing their heap, index and WAL writes and
the dead rows left to vacuum. A second connection reads the other events a page ahead,
so the next page is read and decoded while the database writes the rows of the one
before (both connections are taken before the lock: a rebuild never waits for a
connection while holding it).
After the replay each practitioner is evaluated as of today, exactly as a live write
would, the folds in the service's worker processes (`rebuild_evaluation.py`); when the
live projection was up to date nothing new is published. While the log is replayed,
the workers already fold the first practitioners from the log itself, on a third
connection (`rebuild_guesses.py`: such a fold is used only if its inputs turn out
identical after the replay).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date

import structlog

from services.certification.adapters import evidence_rows, locks, planner_statistics, policy_rows
from services.certification.adapters.credential_schema import CREDENTIAL_PROJECTION_TABLES
from services.certification.adapters.logged_rows import (
    logged_evidence_kept,
    logged_roster_kept,
    project_logged_registrations,
)
from services.certification.adapters.projector import LoggedEvidenceReplay, project
from services.certification.adapters.schema import PROJECTION_TABLES
from services.certification.domain.events import ROSTER_EVENT_NAMES, EvidenceReceived
from services.certification.handlers.rebuild_evaluation import FOLDING, Folding, evaluate_everyone
from services.certification.handlers.rebuild_guesses import Guesses, guess
from shared.database import Connection
from shared.events import StoredEvent
from shared.eventstore import EventStore
from shared.service import Runtime

log = structlog.get_logger(__name__)

BATCH = 2000
READ_AHEAD = 2  # pages read and decoded ahead of the projection
WORK_MEM = "64MB"  # the rebuild's transaction only
GUESSED_PER_WORKER = 3000  # practitioners folded from the log while it is replayed
# From this many events replayed, the evidence table is analyzed before the folds read it
ANALYZED_FROM = 10_000
# From this many practitioners rebuilt, the roster's statistics are checked (the board)
ANALYZED_ROSTER_FROM = 500


@dataclass(frozen=True)
class RebuildReport:
    events_replayed: int
    practitioners_evaluated: int
    transitions_published: int
    seconds: float

    @property
    def events_per_second(self) -> float:
        return self.events_replayed / self.seconds if self.seconds > 0 else 0.0


async def rebuild_agency(runtime: Runtime, agency_id: str, today: date) -> RebuildReport:
    """Drop the agency's projections and replay its log, in one transaction."""
    return await _rebuild(runtime.store, agency_id, today, FOLDING.get(runtime))


async def _rebuild(
    store: EventStore, agency_id: str, today: date, folding: Folding | None
) -> RebuildReport:
    started = time.perf_counter()
    async with (
        store.pool.acquire() as reader,
        store.pool.acquire() as guesser,
        store.transaction() as conn,
    ):
        await locks.own_agency(conn, agency_id)
        # the evidence statements sort and hold a page of the log: in memory, not on disk
        await conn.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
        logged: int = await conn.fetchval(
            "SELECT count(*) FROM events WHERE agency_id = $1", agency_id
        )
        # workers needed for the folds start now, while the log is replayed
        with folding.lease(logged) if folding else contextlib.nullcontext() as executor:
            guesses = Guesses(today)
            guessing = None
            if folding is not None and executor is not None:
                most = GUESSED_PER_WORKER * folding.workers.count
                guessing = asyncio.create_task(
                    guess(guesser, guesses, agency_id, executor, folding.job_size, most)
                )
            try:
                replayed = await _replay(store, conn, reader, agency_id)
                if replayed >= ANALYZED_FROM:
                    await _analyze_evidence(conn, replayed)
                if guessing is not None and not await _guessed(guessing):
                    guesses.cancel()
                policy = await policy_rows.adopted_policy(conn, agency_id)
                practitioners = await evidence_rows.registered_ids(conn, agency_id)
                published = await evaluate_everyone(
                    conn, store, agency_id, practitioners, today, policy, folding, executor, guesses
                )
                await analyze_board_if_unseen(conn, agency_id, len(practitioners))
            finally:
                if guessing is not None and not guessing.done():
                    guessing.cancel()
                    with contextlib.suppress(asyncio.CancelledError, Exception):
                        await guessing
                guesses.cancel()
    return RebuildReport(
        events_replayed=replayed,
        practitioners_evaluated=len(practitioners),
        transitions_published=published,
        seconds=time.perf_counter() - started,
    )


async def _analyze_evidence(conn: Connection, replayed: int) -> None:
    """Statistics that count the rows this transaction just wrote (ANALYZE samples them).

    Without them the planner reads the folds' inputs with the counts it had before: an
    agency it has never seen holds about one row, so it scans all of the agency's
    evidence by the primary key for every job of practitioners instead of using the
    practitioner index (in the benchmark, half of a large agency's rebuild). Autovacuum
    would analyze only after the commit. Only the columns those reads filter on are
    sampled (the agency's and practitioner's counts): the others, `item` above all, would
    cost three times as much (about 0.25 s of PostgreSQL's CPU per 100,000 rows against
    0.07) and keep the statistics they had until autovacuum analyzes the whole table.
    The sample is sized to the agency's share of the table (`analyze_agency`; the events
    replayed stand for its rows, most of them evidence).
    """
    await planner_statistics.analyze_agency(conn, "evidence", replayed)


async def analyze_board_if_unseen(conn: Connection, agency_id: str, practitioners: int) -> None:
    """Statistics that know the rebuilt agency's roster and evaluations, when the planner
    takes it for fewer rows than it now has (a first build after a restore: no ANALYZE
    saw it, and one agency rebuilt into a larger table may never trigger autovacuum's).
    Without them the board's page was planned as a scan and sort of the whole agency's
    evaluations (2.5 ms of PostgreSQL for a page of 1,000 practitioners against 0.1)."""
    if practitioners < ANALYZED_ROSTER_FROM:
        return
    for table in ("practitioners", "evaluations"):
        await planner_statistics.analyze_if_unseen(conn, table, agency_id, practitioners)


async def _guessed(guessing: asyncio.Task[None]) -> bool:
    """Whether the guessing ended well (a failed guess is only a fold to do again)."""
    try:
        await guessing
    except Exception:
        log.warning("rebuild_guesses_failed", exc_info=True)
        return False
    return True


async def _replay(store: EventStore, conn: Connection, reader: Connection, agency_id: str) -> int:
    """Drop the agency's projections and replay its log into them: the events replayed.
    The evidence rows, and the roster's, are kept when they are already what the log
    projects (nothing else of the log reads or writes them: its other events replay
    alike, before them or after)."""
    kept = await logged_evidence_kept(conn, agency_id)
    roster = await logged_roster_kept(conn, agency_id)
    untouched = {
        *(("evidence",) if kept is not None else ()),
        *(("practitioners", "roster_changes") if roster is not None else ()),
    }
    for table in (*PROJECTION_TABLES, *CREDENTIAL_PROJECTION_TABLES):
        if table not in untouched:
            await conn.execute(f"DELETE FROM {table} WHERE agency_id = $1", agency_id)
    if roster is None:
        roster = await project_logged_registrations(conn, agency_id)
    skipped = tuple(ROSTER_EVENT_NAMES) if roster is not None else ()
    if kept is not None:
        replayed = kept + (roster or 0)
        async for batch in _pages(store, reader, agency_id, skipped):
            await project(conn, batch)
            replayed += len(batch)
        return replayed
    # Evidence, most of the log, is projected in SQL straight from the log; the other
    # events come through Python, each page after the evidence logged up to its end
    # (as when both are in one page, a retraction's page drops what came before it).
    # The agency's evidence is gone and its writes wait on the lock: only a repeated
    # item event id in the log could meet a row already written.
    evidence = LoggedEvidenceReplay(conn, agency_id)
    replayed = projected_up_to = 0
    async for batch in _pages(store, reader, agency_id, skipped):
        replayed += await evidence.project(projected_up_to, batch[-1].position)
        projected_up_to = batch[-1].position
        await project(conn, batch)
        replayed += len(batch)
    return replayed + (roster or 0) + await evidence.project(projected_up_to, None)


async def _pages(
    store: EventStore, reader: Connection, agency_id: str, skipped: tuple[str, ...]
) -> AsyncIterator[list[StoredEvent]]:
    """The agency's log but its evidence (and the ``skipped`` events), in pages in
    position order, each read while the one before is projected. Called with the
    agency's lock held (by another connection), so no event of the agency commits
    meanwhile: one snapshot sees it all."""
    pages: asyncio.Queue[list[StoredEvent]] = asyncio.Queue(maxsize=READ_AHEAD)

    async def read() -> None:
        async with reader.transaction(isolation="repeatable_read", readonly=True):
            async for batch in store.agency_pages(
                reader, agency_id, BATCH, skipping=(EvidenceReceived.name, *skipped)
            ):
                await pages.put(batch)
        await pages.put([])

    reading = asyncio.create_task(read())
    try:
        while batch := await _next_page(pages, reading):
            yield batch
        await reading  # its error, if it failed after the last page
    finally:
        if not reading.done():
            reading.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reading


async def _next_page(
    pages: asyncio.Queue[list[StoredEvent]], reading: asyncio.Task[None]
) -> list[StoredEvent]:
    """The next page, or the reader's error if it failed before putting one."""
    waiting = asyncio.ensure_future(pages.get())
    await asyncio.wait((waiting, reading), return_when=asyncio.FIRST_COMPLETED)
    if waiting.done():
        return waiting.result()
    waiting.cancel()
    reading.result()  # raises the reader's error
    return await pages.get()  # it finished: its pages are all queued
