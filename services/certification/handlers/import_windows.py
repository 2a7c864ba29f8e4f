"""Import windows: while an agency's history is imported, hold publication; then publish
only the net transitions (domain/netting.py).

Opening and closing take the agency's lock *exclusive*, like a rebuild: every write
takes it shared, so no evaluation straddles the moment a window opens or closes.
While open, every evaluation of the agency stores its statuses and records the
practitioner as held (handlers/evaluation.py), the clock included. Closing first
waits (boundedly) for the upstream evidence still queued for certification's
consumers, then evaluates each held practitioner as of today and publishes what
``plan_net_publication`` plans, in one transaction.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import date

from nats.errors import Error as NatsError

from services.certification.adapters import evidence_rows, locks, policy_rows, window_rows
from services.certification.adapters.projector import project
from services.certification.adapters.window_rows import ImportWindow
from services.certification.domain.events import (
    TRANSITION_EVENT_NAMES,
    ImportWindowClosed,
    ImportWindowOpened,
)
from services.certification.handlers.evaluation import refresh
from shared.auth import Principal
from shared.database import Connection
from shared.events import DomainEvent, PendingEvent
from shared.eventstore import EventStore
from shared.idempotency import ensure_same_content, fingerprint
from shared.naming import stream_id
from shared.practice_time import now_utc
from shared.problems import Conflict, NotFound
from shared.service import Runtime


@dataclass(frozen=True)
class WindowAnswer:
    window: ImportWindow
    created: bool


def window_stream(agency_id: str, window_id: str) -> str:
    return stream_id("import-window", agency_id, window_id)


async def open_import_window(
    runtime: Runtime, principal: Principal, window_id: str | None, label: str | None
) -> WindowAnswer:
    """Open a window for the principal's agency; the same id and label again is a repeat."""
    agency_id = principal.agency_id
    window_id = window_id or str(uuid.uuid4())
    content_hash = fingerprint({"label": label})
    async with runtime.store.transaction() as conn:
        await locks.own_agency(conn, agency_id)
        existing = await window_rows.window(conn, agency_id, window_id)
        if existing is not None:
            ensure_same_content(f"import window {window_id}", existing.content_hash, content_hash)
            return WindowAnswer(existing, created=False)
        already = await window_rows.open_window_id(conn, agency_id)
        if already is not None:
            raise Conflict(
                f"import window {already} is already open for this agency; close it "
                f"(POST /import-windows/{already}/close) before opening another"
            )
        opened = ImportWindowOpened(window_id=window_id, label=label, content_hash=content_hash)
        await _append(conn, runtime.store, principal, window_id, opened, expected_version=0)
        window = await window_rows.window(conn, agency_id, window_id)
    assert window is not None
    return WindowAnswer(window, created=True)


async def upstream_pending(runtime: Runtime, wait_seconds: float) -> int | None:
    """Wait (up to ``wait_seconds``) until certification's consumers have taken in every
    upstream event JetStream holds for them; how many still wait (None: NATS unreachable).

    An importer closes the window right after its last upstream write: evidence still on
    its way would otherwise be published live, one event at a time, after the close.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait_seconds
    while True:
        try:
            pending = sum([await c.sample_pending() or 0 for c in runtime.consumers])
        except (NatsError, TimeoutError):
            return None
        if pending == 0 or loop.time() >= deadline:
            return pending
        await asyncio.sleep(0.2)


async def close_import_window(
    runtime: Runtime, principal: Principal, window_id: str, today: date
) -> ImportWindow:
    """Publish the net transitions of every practitioner the window held; once."""
    agency_id = principal.agency_id
    async with runtime.store.transaction() as conn:
        await locks.own_agency(conn, agency_id)
        window = await window_rows.window(conn, agency_id, window_id)
        if window is None:
            raise NotFound(f"no import window {window_id} in this agency")
        if not window.is_open:
            return window  # closed already: the same answer again
        held = await window_rows.held_practitioners(conn, agency_id, window_id)
        policy = await policy_rows.adopted_policy(conn, agency_id)
        published = 0
        for practitioner_id in held:
            if await evidence_rows.roster_entry(conn, agency_id, practitioner_id) is None:
                continue
            evaluated = await refresh(
                conn,
                runtime.store,
                agency_id,
                practitioner_id,
                today,
                policy=policy,
                actor=principal.actor,
                closing_window=window_id,
            )
            published += sum(1 for e in evaluated.published if e.name in TRANSITION_EVENT_NAMES)
        closed = ImportWindowClosed(
            window_id=window_id, practitioners_held=len(held), transitions_published=published
        )
        await _append(conn, runtime.store, principal, window_id, closed, expected_version=1)
        window = await window_rows.window(conn, agency_id, window_id)
    assert window is not None
    return window


async def _append(
    conn: Connection,
    store: EventStore,
    principal: Principal,
    window_id: str,
    event: DomainEvent,
    *,
    expected_version: int,
) -> None:
    stored = await store.append(
        conn,
        window_stream(principal.agency_id, window_id),
        [
            PendingEvent(
                event=event,
                agency_id=principal.agency_id,
                occurred_at=now_utc(),
                actor=principal.actor,
            )
        ],
        expected_version=expected_version,
    )
    await project(conn, stored)
