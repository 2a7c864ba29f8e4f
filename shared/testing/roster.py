"""Putting practitioners on the roster in tests, exactly as certification announces them.

`RosterAnnouncer` publishes certification's roster events (CloudEvents built with the
kernel envelope) onto the certification stream of the test's subject root, then waits
until every service copy it watches has consumed them (their event ids in that service's
consumer inbox). It remembers each practitioner's details, so a change carries the full
details as the contract says, and `ensure` registers only the ids it has not seen.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

from nats.aio.client import Client

from shared.config import event_subject, stream_name
from shared.database import Pool
from shared.envelope import CloudEvent, event_source, event_type
from shared.identifiers import normalise_identifier
from shared.messaging import ensure_stream
from shared.practice_time import as_practice_datetime
from shared.roster_copy import DETAILS_CHANGED, LEFT, REGISTERED, RETURNED

PROGRAM_START = date(2020, 1, 1)  # early enough for every practice date a test uses
# the body fields that name practitioners evidence is about
PRACTITIONER_FIELDS = ("practitioner_id", "facilitator_id", "participant_ids")


def practitioner_ids_in(body: object) -> list[str]:
    """The well-formed practitioner ids a request body names (none for a hostile body)."""
    if not isinstance(body, dict):
        return []
    found: list[str] = []
    for name in PRACTITIONER_FIELDS:
        value = body.get(name)
        for candidate in value if isinstance(value, list) else [value]:
            if isinstance(candidate, str):
                try:
                    found.append(normalise_identifier(candidate))
                except ValueError:
                    continue
    return found


@dataclass(frozen=True)
class Details:
    role: str = "facilitator"
    program_start: date = PROGRAM_START
    coach_id: str | None = None
    supervisor_id: str | None = None
    team_id: str | None = None

    def payload(self) -> dict[str, Any]:
        return {
            "role": self.role,
            "program_start": self.program_start.isoformat(),
            "coach_id": self.coach_id,
            "supervisor_id": self.supervisor_id,
            "team_id": self.team_id,
        }


@dataclass
class RosterAnnouncer:
    """Certification's roster events for one agency, awaited in the `copies` (pools)."""

    nats: Client
    subject_root: str
    agency_id: str
    copies: list[Pool] = field(default_factory=list)
    timeout: float = 15.0
    details: dict[str, Details] = field(default_factory=dict)
    _ensuring: asyncio.Lock = field(default_factory=asyncio.Lock)

    def for_agency(self, agency_id: str) -> RosterAnnouncer:
        """The same announcer for another agency (its own roster)."""
        return RosterAnnouncer(self.nats, self.subject_root, agency_id, self.copies, self.timeout)

    async def register(self, *practitioner_ids: str, **details: Any) -> list[CloudEvent]:
        """`practitioner_registered` for each id (same details for all), awaited."""
        events = []
        for practitioner_id in practitioner_ids:
            current = Details(**details)
            self.details[practitioner_id] = current
            data = {"practitioner_id": practitioner_id, **current.payload()}
            events.append(self.event(REGISTERED, practitioner_id, current.program_start, data))
        await self.announce(events)
        return events

    async def ensure(self, *practitioner_ids: str) -> None:
        """Register those of `practitioner_ids` not registered by this announcer yet."""
        async with self._ensuring:  # racing requests wait for the one that registers
            new = [p for p in dict.fromkeys(practitioner_ids) if p and p not in self.details]
            if new:
                await self.register(*new)

    async def change(self, practitioner_id: str, effective_on: date, **changed: Any) -> CloudEvent:
        """`practitioner_details_changed` from `effective_on`, with the full details."""
        current = replace(self.details.get(practitioner_id, Details()), **changed)
        self.details[practitioner_id] = current
        data = {
            "practitioner_id": practitioner_id,
            "effective_on": effective_on.isoformat(),
            "changed": sorted(changed),
            **current.payload(),
        }
        [event] = await self.announce(
            [self.event(DETAILS_CHANGED, practitioner_id, effective_on, data)]
        )
        return event

    async def leave(
        self, practitioner_id: str, effective_on: date, reason: str | None = None
    ) -> CloudEvent:
        data = {
            "practitioner_id": practitioner_id,
            "effective_on": effective_on.isoformat(),
            "reason": reason,
        }
        [event] = await self.announce([self.event(LEFT, practitioner_id, effective_on, data)])
        return event

    async def come_back(self, practitioner_id: str, effective_on: date) -> CloudEvent:
        data = {"practitioner_id": practitioner_id, "effective_on": effective_on.isoformat()}
        [event] = await self.announce([self.event(RETURNED, practitioner_id, effective_on, data)])
        return event

    def event(self, name: str, practitioner_id: str, on: date, data: dict[str, Any]) -> CloudEvent:
        return CloudEvent(
            id=str(uuid.uuid4()),
            source=event_source("certification"),
            type=event_type("certification", name, 1),
            subject=practitioner_id,
            time=as_practice_datetime(on),
            agencyid=self.agency_id,
            actor="certification-test",
            recordedtime=datetime.now(UTC),
            data=data,
        )

    async def announce(
        self, events: Sequence[CloudEvent], *, msg_id: bool = True
    ) -> Sequence[CloudEvent]:
        """Publish `events` in order and wait until every copy consumed them. Without
        `msg_id` the server cannot drop a repeat: a redelivery, as the consumer sees it."""
        js = self.nats.jetstream()
        stream = stream_name(self.subject_root, "certification")
        await ensure_stream(js, stream, [f"{self.subject_root}.certification.>"])
        for event in events:
            await js.publish(
                event_subject(
                    self.subject_root,
                    "certification",
                    self.agency_id,
                    event.event_name,
                    event.subject,
                ),
                event.to_json(),
                stream=stream,
                headers={"Nats-Msg-Id": event.id} if msg_id else None,
            )
        await self.consumed([e.id for e in events])
        return events

    async def consumed(self, event_ids: Sequence[str]) -> None:
        """Wait until each copy's roster consumer has handled every one of `event_ids`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        for pool in self.copies:
            while True:
                async with pool.acquire() as conn:
                    seen = await conn.fetchval(
                        "SELECT count(DISTINCT event_id) FROM consumer_inbox"
                        " WHERE consumer LIKE '%-roster-copy' AND event_id = ANY($1::text[])",
                        list(event_ids),
                    )
                if seen == len(set(event_ids)):
                    break
                if loop.time() > deadline:
                    raise AssertionError(
                        f"{seen} of {len(event_ids)} roster events copied within {self.timeout}s"
                    )
                await asyncio.sleep(0.02)
