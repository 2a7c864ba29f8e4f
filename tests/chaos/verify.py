"""Exactly once, checked where it matters: store, stream, certification; and a rebuild.

For every write the client saw acknowledged, the event it caused is looked up by the
client's id in its service's `events` table (the id sits in the payload or, for an
enrollment, in the metadata), then by event id (the CloudEvent `id`, which the relay
also sends as `Nats-Msg-Id`) in the service's JetStream stream, then in certification:
its consumer inbox (every upstream event it subscribes to, evidence or not), its own
log (one internal `evidence_received` event per evidence-bearing event, `data.item.event_id` = the
upstream id) and its `evidence` projection.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import httpx
import nats

from services.certification.domain.upstream import delivered
from shared.testing.jetstream import received_events
from tests.chaos.stack import AGENCY, SERVICES, SUBJECT_ROOT, UPSTREAM, Stack, schema_of
from tests.chaos.workload import Ack, Tokens

# kind → (service, event name, where the client id is: "data" or "metadata", its key)
PRIMARY: dict[str, tuple[str, str, str, str]] = {
    "register": ("certification", "practitioner_registered", "data", "practitioner_id"),
    "enroll": ("learning", "practitioner_enrolled", "metadata", "enrollment_id"),
    "attempt": ("learning", "assessment_attempted", "data", "attempt_id"),
    "assign": ("coaching", "coach_assigned", "data", "assignment_id"),
    "session": ("coaching", "coaching_session_held", "data", "session_id"),
    "rating": ("coaching", "skill_rated", "data", "rating_id"),
    "observation": ("fidelity", "observation_recorded", "data", "observation_id"),
}
# a mastering attempt also causes module_mastered (same attempt_id), which is evidence
SECONDARY: dict[str, tuple[str, str, str, str]] = {
    "attempt": ("learning", "module_mastered", "data", "attempt_id"),
}
# events certification turns into evidence (the others only pass its inbox)
EVIDENCE = {
    "practitioner_registered",
    "module_mastered",
    "coach_assigned",
    "coaching_session_held",
    "skill_rated",
    "observation_recorded",
}


@dataclass
class Counts:
    lost: int = 0
    doubled: int = 0
    examples: list[str] = field(default_factory=list)

    def add(self, seen: int, what: str) -> None:
        if seen == 0:
            self.lost += 1
        elif seen > 1:
            self.doubled += 1
        else:
            return
        if len(self.examples) < 5:
            self.examples.append(f"{what} seen {seen}x")

    def __str__(self) -> str:
        return f"{self.lost}/{self.doubled}"


@dataclass
class Verdict:
    acknowledged: int
    store: Counts
    stream: Counts
    certification: Counts
    dead_letters: int
    missing_stream: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        parts = (self.store, self.stream, self.certification)
        return all(c.lost == 0 and c.doubled == 0 for c in parts) and self.dead_letters == 0

    def summary(self) -> str:
        return f"{self.store} · {self.stream} · {self.certification}"


async def _connect(stack: Stack) -> asyncpg.Connection:
    return await asyncpg.connect(stack.database_url, timeout=3)


async def store_events(stack: Stack) -> dict[str, list[asyncpg.Record]]:
    conn = await _connect(stack)
    try:
        return {
            service: await conn.fetch(
                f"SELECT event_id::text AS event_id, name, data, metadata "
                f"FROM {schema_of(service)}.events"
            )
            for service in SERVICES
        }
    finally:
        await conn.close()


def index_events(
    rows: dict[str, list[asyncpg.Record]],
) -> dict[tuple[str, str, str], list[str]]:
    """(service, event name, client id) → event ids, for the kinds the writers cause."""
    specs = {(s, n): (w, k) for s, n, w, k in [*PRIMARY.values(), *SECONDARY.values()]}
    index: dict[tuple[str, str, str], list[str]] = {}
    for service, events in rows.items():
        for row in events:
            spec = specs.get((service, row["name"]))
            if spec is None:
                continue
            where, key = spec
            value = _json(row[where]).get(key)
            if value is not None:
                index.setdefault((service, row["name"], str(value)), []).append(row["event_id"])
    return index


def _json(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        import json

        loaded: dict[str, Any] = json.loads(value)
        return loaded
    return dict(value or {})


@dataclass
class Expected:
    """The event ids the acknowledged writes caused, and which of them to look for where."""

    store: Counts
    ids: dict[str, str]  # event id → its event name
    upstream_ids: set[str]
    by_service: dict[str, set[str]]


def expected_events(acks: Iterable[Ack], index: dict[tuple[str, str, str], list[str]]) -> Expected:
    store = Counts()
    ids: dict[str, str] = {}
    by_service: dict[str, set[str]] = {s: set() for s in SERVICES}
    upstream: set[str] = set()
    for ack in acks:
        service, name, _where, _key = PRIMARY[ack.kind]
        found = index.get((service, name, ack.key), [])
        store.add(len(found), f"{ack.kind} {ack.key} in {service}.events")
        related = list(found)
        if ack.kind in SECONDARY:
            s2, n2, _w, _k = SECONDARY[ack.kind]
            related += index.get((s2, n2, ack.key), [])
            for event_id in index.get((s2, n2, ack.key), []):
                ids[event_id] = n2
        for event_id in found:
            ids[event_id] = name
        for event_id in related:
            by_service[service].add(event_id)
            if service in UPSTREAM and delivered(service, ids[event_id]):
                upstream.add(event_id)
    return Expected(store, ids, upstream, by_service)


async def certification_view(stack: Stack) -> tuple[Counter[str], Counter[str], Counter[str], int]:
    """(inbox, evidence_received, evidence rows, dead letters) of certification."""
    schema = schema_of("certification")
    conn = await _connect(stack)
    try:
        inbox = Counter(
            r["event_id"] for r in await conn.fetch(f"SELECT event_id FROM {schema}.consumer_inbox")
        )
        received = Counter(
            r["id"]
            for r in await conn.fetch(
                f"SELECT data->'item'->>'event_id' AS id FROM {schema}.events"
                " WHERE name = 'evidence_received'"
            )
        )
        rows = Counter(
            r["event_id"]
            for r in await conn.fetch(
                f"SELECT event_id FROM {schema}.evidence WHERE agency_id = $1", AGENCY
            )
        )
        dead = await conn.fetchval(f"SELECT count(*) FROM {schema}.dead_letters")
    finally:
        await conn.close()
    return inbox, received, rows, int(dead)


def certification_counts(
    expected: Expected, inbox: Counter[str], received: Counter[str], rows: Counter[str]
) -> Counts:
    counts = Counts()
    for event_id, name in expected.ids.items():
        if event_id in expected.upstream_ids:
            counts.add(inbox[event_id], f"{name} {event_id} in certification's inbox")
        if name in EVIDENCE:
            seen = min(received[event_id], rows[event_id]) or 0
            if received[event_id] > 1 or rows[event_id] > 1:
                seen = max(received[event_id], rows[event_id])
            counts.add(seen, f"{name} {event_id} as certification evidence")
    return counts


async def stream_counts(stack: Stack, expected: Expected) -> Counts:
    counts = Counts()
    client = await nats.connect(stack.nats.url, connect_timeout=3, max_reconnect_attempts=3)
    try:
        js = client.jetstream(timeout=5)
        for service in SERVICES:
            info = await js.stream_info(f"{SUBJECT_ROOT}_{service}".upper())
            total = info.state.messages
            events = await received_events(
                client, f"{SUBJECT_ROOT}.{service}.>", count=total, timeout=60, settle=0.2
            )
            seen = Counter(e.id for e in events)
            for event_id in expected.by_service[service]:
                counts.add(seen[event_id], f"{expected.ids[event_id]} {event_id} in the stream")
    finally:
        await client.close()
    return counts


async def wait_converged(stack: Stack, acks: list[Ack], timeout: float) -> float | None:
    """Seconds until certification holds every acknowledged write's evidence, or None."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    while loop.time() - started < timeout:
        with contextlib.suppress(OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            expected = expected_events(acks, index_events(await store_events(stack)))
            inbox, received, rows, _dead = await certification_view(stack)
            if certification_counts(expected, inbox, received, rows).lost == 0:
                return loop.time() - started
        await asyncio.sleep(1.0)
    return None


async def verify(stack: Stack, acks: list[Ack]) -> Verdict:
    expected = expected_events(acks, index_events(await store_events(stack)))
    inbox, received, rows, dead = await certification_view(stack)
    return Verdict(
        acknowledged=len(acks),
        store=expected.store,
        stream=await stream_counts(stack, expected),
        certification=certification_counts(expected, inbox, received, rows),
        dead_letters=dead,
    )


async def rebuild_matches(stack: Stack, practitioners: list[str]) -> tuple[bool, str]:
    """Every practitioner's certification before and after POST /projections/rebuild."""
    tokens = Tokens(stack.jwt_secret)
    headers = tokens.headers("admin", "admin-chaos")
    base = stack.replicas["certification"][0].url
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as http:

        async def states() -> dict[str, Any]:
            found: dict[str, Any] = {}
            for start in range(0, len(practitioners), 16):
                chunk = practitioners[start : start + 16]
                answers = await asyncio.gather(
                    *(http.get(f"/practitioners/{p}/certification") for p in chunk)
                )
                for p, answer in zip(chunk, answers, strict=True):
                    found[p] = (answer.status_code, answer.json())
            return found

        before = await states()
        rebuilt = await http.post("/projections/rebuild")
        if rebuilt.status_code != 200:
            return False, f"rebuild answered {rebuilt.status_code}: {rebuilt.text[:200]}"
        after = await states()
    differing = [p for p in practitioners if before[p] != after[p]]
    report = rebuilt.json()
    detail = f"rebuild replayed {report['events_replayed']} events"
    if differing:
        return False, f"{detail}; {len(differing)} states differ, e.g. {differing[:3]}"
    not_ok = [p for p in practitioners if before[p][0] != 200]
    if not_ok:
        return False, f"{detail}; GET failed for {not_ok[:3]}"
    return True, detail
