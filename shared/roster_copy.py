"""A service's local copy of the agency roster, kept from certification's roster events.

Certification owns the roster (who is a practitioner, their role, coach, supervisor and
team, when they joined and left) and announces it with four events; learning, coaching
and fidelity each keep a copy through a durable consumer of them, so they can refuse
evidence for an id that is not on the roster (`shared.roster.require_on_roster`) and
show teams as the roster defines them.

The copy is order-independent and idempotent: details are kept per effective date (a
later-recorded event wins on the same date), departures and returns as a set of dated
facts, and every read derives the state on a date from them. A redelivered event
changes nothing (the kernel consumer's inbox, and upserts keyed by the facts), so the
consumer keeps a whole batch's events before its inbox sorts out the new ones: one
statement per table for the batch (`keep_roster_events`), the hooks then per new event.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import date, datetime

from shared.config import stream_name
from shared.consumer import EventConsumer, Subscription
from shared.database import Connection
from shared.envelope import CloudEvent
from shared.messaging import StreamPolicy
from shared.nats_auth import consumer_name
from shared.service import Runtime

REGISTERED = "practitioner_registered"
DETAILS_CHANGED = "practitioner_details_changed"
LEFT = "practitioner_left"
RETURNED = "practitioner_returned"
ROSTER_EVENTS = (REGISTERED, DETAILS_CHANGED, LEFT, RETURNED)
CONSUMER_LABEL = "roster-copy"

# a registration and a change on the same effective date: the change wins, whatever order
# they arrive in; two changes on one date: the later recorded one wins
_RANK = {REGISTERED: 0, DETAILS_CHANGED: 1}

_KEEP_DETAILS = """
    INSERT INTO roster_details (agency_id, practitioner_id, effective_on, rank, recorded_at,
        event_id, role, coach_id, supervisor_id, team_id, program_start)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
    ON CONFLICT (agency_id, practitioner_id, effective_on) DO UPDATE SET
        rank = excluded.rank, recorded_at = excluded.recorded_at, event_id = excluded.event_id,
        role = excluded.role, coach_id = excluded.coach_id,
        supervisor_id = excluded.supervisor_id, team_id = excluded.team_id,
        program_start = excluded.program_start
    WHERE (excluded.rank, excluded.recorded_at, excluded.event_id)
        > (roster_details.rank, roster_details.recorded_at, roster_details.event_id)
"""

_KEEP_DEPARTURE = """
    INSERT INTO roster_departures (agency_id, practitioner_id, kind, effective_on, reason,
        event_id)
    VALUES ($1, $2, $3, $4, $5, $6)
    ON CONFLICT (agency_id, practitioner_id, kind, effective_on) DO NOTHING
"""


async def keep_roster_event(conn: Connection, event: CloudEvent) -> str | None:
    """Apply one roster event to the copy; the practitioner it concerns (None: not one)."""
    practitioner_id = roster_practitioner(event)
    if practitioner_id is None:
        return None
    statement, args = _copy_row(event, practitioner_id)
    await conn.execute(statement, *args)
    return practitioner_id


def roster_practitioner(event: CloudEvent) -> str | None:
    """The practitioner a roster event concerns (None: not a roster event); ValueError
    for a roster event that names none."""
    if event.event_name not in ROSTER_EVENTS:
        return None
    practitioner_id = str(event.data.get("practitioner_id") or event.subject or "")
    if not practitioner_id:
        raise ValueError(f"roster event {event.id} names no practitioner")
    return practitioner_id


def _copy_row(event: CloudEvent, practitioner_id: str) -> tuple[str, tuple[object, ...]]:
    """The statement that keeps one roster event, with its arguments."""
    name, data = event.event_name, event.data
    if name in _RANK:
        program_start = _day(data["program_start"])
        effective_on = program_start if name == REGISTERED else _day(data["effective_on"])
        return _KEEP_DETAILS, (
            event.agencyid,
            practitioner_id,
            effective_on,
            _RANK[name],
            event.recordedtime or event.time,
            event.id,
            _text(data.get("role")),
            _text(data.get("coach_id")),
            _text(data.get("supervisor_id")),
            _text(data.get("team_id")),
            program_start,
        )
    return _KEEP_DEPARTURE, (
        event.agencyid,
        practitioner_id,
        "left" if name == LEFT else "returned",
        _day(data["effective_on"]),
        _text(data.get("reason")),
        event.id,
    )


async def keep_roster_events(conn: Connection, events: Sequence[CloudEvent]) -> None:
    """`keep_roster_event` for a batch in one statement per table: the same copy as
    applying them one by one (each upsert is keyed by its fact and keeps the winner), so
    a row whose fact occurs once in the batch goes with the others, and the events of a
    fact that occurs more than once go one by one, in order, as they always did. An
    event that is not one, or cannot be read, is left out (its handler answers it)."""
    details: dict[tuple[object, ...], list[tuple[object, ...]]] = {}
    departures: dict[tuple[object, ...], list[tuple[object, ...]]] = {}
    for event in events:
        try:
            practitioner_id = roster_practitioner(event)
            if practitioner_id is None:
                continue
            statement, args = _copy_row(event, practitioner_id)
        except (KeyError, TypeError, ValueError):
            continue
        kept = details if statement is _KEEP_DETAILS else departures
        kept.setdefault(args[:3] if kept is details else args[:4], []).append(args)
    for single, bulk, kept in (
        (_KEEP_DETAILS, _KEEP_DETAILS_BULK, details),
        (_KEEP_DEPARTURE, _KEEP_DEPARTURES_BULK, departures),
    ):
        alone = [rows[0] for rows in kept.values() if len(rows) == 1]
        if alone:
            await conn.execute(bulk, *[list(column) for column in zip(*alone, strict=True)])
        for rows in kept.values():
            if len(rows) > 1:
                for args in rows:
                    await conn.execute(single, *args)


# `_KEEP_DETAILS` / `_KEEP_DEPARTURE` for many rows at once (no two of the same fact)
_KEEP_DETAILS_BULK = _KEEP_DETAILS.replace(
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    "SELECT * FROM unnest($1::text[], $2::text[], $3::date[], $4::int[],"
    " $5::timestamptz[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],"
    " $11::date[])",
)
_KEEP_DEPARTURES_BULK = _KEEP_DEPARTURE.replace(
    "VALUES ($1, $2, $3, $4, $5, $6)",
    "SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::date[], $5::text[], $6::text[])",
)
assert _KEEP_DETAILS_BULK != _KEEP_DETAILS and _KEEP_DEPARTURES_BULK != _KEEP_DEPARTURE

# what a service does beyond the copy when a roster event arrived (same transaction)
RosterHook = Callable[[Connection, CloudEvent, str], Awaitable[None]]


def roster_consumer(
    runtime: Runtime, reader: str, on_roster_event: Sequence[RosterHook] = ()
) -> EventConsumer:
    """The durable consumer `<reader>-<schema>-roster-copy` of certification's roster events."""
    settings = runtime.settings
    root = settings.subject_root

    async def handle(conn: Connection, event: CloudEvent) -> None:
        # the copy was kept for the whole batch before (`prepare`): the hooks read it
        practitioner_id = roster_practitioner(event)
        if practitioner_id is not None:
            _copy_row(event, practitioner_id)  # an event the copy cannot take fails here
            for hook in on_roster_event:
                await hook(conn, event, practitioner_id)

    return EventConsumer(
        pool=runtime.pool,
        nats=runtime.nats,
        subscription=Subscription(
            durable=consumer_name(reader, settings.db_schema, CONSUMER_LABEL),
            stream=stream_name(root, "certification"),
            subjects=roster_subjects(root),
        ),
        handler=handle,
        prepare=keep_roster_events,
        batch_size=settings.consumer_batch_size,
        max_deliver=settings.consumer_max_deliver,
        ack_wait=settings.consumer_ack_wait_seconds,
        streams=StreamPolicy.from_settings(settings),
    )


def roster_subjects(root: str) -> list[str]:
    """The subjects of the roster events, every agency and practitioner."""
    return [f"{root}.certification.*.{name}.>" for name in ROSTER_EVENTS]


def _day(value: object) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    return date.fromisoformat(str(value)[:10])


def _text(value: object) -> str | None:
    return None if value is None else str(value)
