"""Concurrent writers across the four services, idempotent through client-chosen ids.

Each writer registers practitioners on certification's roster, then enrolls them and
records attempts (learning), assigns a coach and logs sessions and ratings (coaching),
and records observations (fidelity). Every create carries the client's own id (the
practitioner id for a registration); a timeout, a connection error or a 5xx is retried
with the very same body on the next replica, so a write that committed before its
answer was lost is answered 200 on the retry instead of being recorded twice. What the
client saw acknowledged (2xx) is the ground truth the verification checks.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from typing import Any

import httpx

from shared.auth import issue_token, signing_settings
from shared.roster_client import is_not_on_roster
from tests.chaos.stack import AGENCY, Replica, Stack
from tests.fidelity.fidelity_builders import observation

TODAY = date.today()
PROGRAM_START = TODAY - timedelta(days=360)
COMPETENCIES = ("ENG", "STR", "FAC", "NEED", "SAFE", "NAT", "MON", "TRAN")
RETRYABLE = {408, 425, 429, 500, 502, 503, 504}


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


@dataclass(frozen=True)
class Ack:
    """One write the client saw acknowledged."""

    kind: str  # register, enroll, attempt, assign, session, rating, observation
    service: str
    key: str  # the client id (the practitioner id for a registration)
    status: int
    attempts: int
    at: float


@dataclass
class Tally:
    acks: list[Ack] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # 4xx that a retry cannot fix
    abandoned: list[str] = field(default_factory=list)  # never acknowledged in time
    errors: dict[str, int] = field(default_factory=dict)  # what the retries saw
    first_error_at: dict[str, float] = field(default_factory=dict)

    def saw(self, service: str, what: str) -> None:
        key = f"{service}:{what}"
        self.errors[key] = self.errors.get(key, 0) + 1


class Tokens:
    def __init__(self, secret: str) -> None:
        self.settings = signing_settings(secret)
        self.cache: dict[tuple[str, str], dict[str, str]] = {}

    def headers(self, role: str, subject: str) -> dict[str, str]:
        key = (role, subject)
        if key not in self.cache:
            token = issue_token(
                self.settings, subject=subject, agency_id=AGENCY, roles=[role], ttl_seconds=86400
            )
            self.cache[key] = {"Authorization": f"Bearer {token}"}
        return self.cache[key]


class Client:
    """Idempotent writes against the replicas of each service, retried until answered."""

    def __init__(self, stack: Stack, tally: Tally, give_up_after: float = 120.0) -> None:
        self.stack = stack
        self.tally = tally
        self.tokens = Tokens(stack.jwt_secret)
        self.give_up_after = give_up_after
        self.http = httpx.AsyncClient(timeout=httpx.Timeout(5.0, connect=1.0))
        self._turn = itertools.count()

    async def close(self) -> None:
        await self.http.aclose()

    def _replicas(self, service: str) -> Sequence[Replica]:
        return self.stack.replicas[service]

    async def write(
        self,
        kind: str,
        service: str,
        path: str,
        body: dict[str, Any],
        key: str,
        *,
        role: str = "admin",
        subject: str = "admin-chaos",
    ) -> dict[str, Any] | None:
        """POST until a 2xx (recorded as acknowledged) or a refusal; None if not acked."""
        replicas = self._replicas(service)
        start = next(self._turn)
        headers = self.tokens.headers(role, subject)
        deadline = time.monotonic() + self.give_up_after
        delay = 0.1
        for attempt in itertools.count(1):
            replica = replicas[(start + attempt - 1) % len(replicas)]
            outcome = ""
            try:
                response = await self.http.post(f"{replica.url}{path}", json=body, headers=headers)
                if 200 <= response.status_code < 300:
                    self.tally.acks.append(
                        Ack(kind, service, key, response.status_code, attempt, time.monotonic())
                    )
                    answer: dict[str, Any] = response.json()
                    return answer
                outcome = str(response.status_code)
                retry = (
                    response.status_code in RETRYABLE
                    # the learning store's "stored at the same moment; retry to see which"
                    or (response.status_code == 409 and "retry" in response.text and attempt < 5)
                    # registered at certification a moment ago: this service's roster copy
                    # has it once the event arrives (later while NATS is away)
                    or is_not_on_roster(response)
                )
                if not retry:
                    self.tally.refused.append(
                        f"{kind} {key} on {replica.name}: {response.status_code} "
                        f"{response.text[:300]}"
                    )
                    return None
            except httpx.TimeoutException:
                outcome = "timeout"
            except httpx.TransportError as error:
                outcome = type(error).__name__
            self.tally.saw(service, outcome)
            self.tally.first_error_at.setdefault(service, time.monotonic())
            if time.monotonic() > deadline:
                self.tally.abandoned.append(f"{kind} {key}: last {outcome} after {attempt} tries")
                return None
            await asyncio.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, 1.0)
        return None  # pragma: no cover


@dataclass
class Practitioner:
    id: str
    coach: str
    observer: str
    modules_done: int = 0
    sessions: list[str] = field(default_factory=list)
    enrolled: bool = False
    assigned: bool = False


class Writer:
    """One client: practitioner after practitioner, a few writes on each service."""

    def __init__(
        self, client: Client, number: int, phase: str, stop: asyncio.Event, pause: float
    ) -> None:
        self.client = client
        self.number = number
        self.phase = phase
        self.stop = stop
        self.pause = pause
        self.registered: list[str] = []
        self.rng = random.Random(f"{phase}-{number}")

    async def run(self) -> None:
        for n in itertools.count():
            if self.stop.is_set():
                return
            practitioner = Practitioner(
                id=f"p-{self.phase}-w{self.number}-{n}",
                coach=f"coach-{self.number}",
                observer=f"observer-{self.number}",
            )
            if not await self.onboard(practitioner):
                continue
            for _ in range(10):
                if self.stop.is_set():
                    return
                await self.one_write(practitioner)
                await asyncio.sleep(self.pause)

    async def onboard(self, p: Practitioner) -> bool:
        c = self.client
        registration = {
            "practitioner_id": p.id,
            "role": "facilitator",
            "program_start": PROGRAM_START.isoformat(),
            "coach_id": p.coach,
            "supervisor_id": "sup-chaos",
        }
        if await c.write("register", "certification", "/practitioners", registration, p.id) is None:
            return False
        self.registered.append(p.id)
        enrollment = {
            "id": str(uuid.uuid4()),
            "practitioner_id": p.id,
            "enrolled_on": PROGRAM_START.isoformat(),
        }
        p.enrolled = (
            await c.write("enroll", "learning", "/enrollments", enrollment, enrollment["id"])
            is not None
        )
        assignment = {
            "id": str(uuid.uuid4()),
            "coach_id": p.coach,
            "practitioner_id": p.id,
            "valid_from": PROGRAM_START.isoformat(),
            "valid_to": None,
        }
        p.assigned = (
            await c.write("assign", "coaching", "/assignments", assignment, assignment["id"])
            is not None
        )
        return True

    async def one_write(self, p: Practitioner) -> None:
        choice = self.rng.choice(("attempt", "session", "rating", "observation"))
        if choice == "attempt" and p.enrolled and p.modules_done < 6:
            await self.attempt(p)
        elif choice == "rating" and p.assigned and p.sessions:
            await self.rating(p)
        elif choice in ("session", "rating") and p.assigned:
            await self.session(p)
        else:
            await self.observation(p)

    async def attempt(self, p: Practitioner) -> None:
        order = p.modules_done + 1
        on = ago(330 - 28 * order)
        body = {
            "id": str(uuid.uuid4()),
            "practitioner_id": p.id,
            "module_id": f"M{order}",
            "scaled_score": 0.9,
            "attempted_at": datetime.combine(on, clock_time(15), tzinfo=UTC).isoformat(),
        }
        if await self.client.write("attempt", "learning", "/attempts", body, body["id"]):
            p.modules_done = order

    async def session(self, p: Practitioner) -> None:
        body = {
            "id": str(uuid.uuid4()),
            "practitioner_id": p.id,
            "held_on": ago(15 + 30 * len(p.sessions)).isoformat(),
            "duration_minutes": 60,
            "modality": "in_person",
            "components": ["observation", "practice", "feedback"],
            "competencies": ["FAC"],
            "goal_ids": [],
            "notes": "Rehearsed the family vision",
        }
        answer = await self.client.write(
            "session", "coaching", "/sessions", body, body["id"], role="coach", subject=p.coach
        )
        if answer is not None:
            p.sessions.append(body["id"])

    async def rating(self, p: Practitioner) -> None:
        body = {
            "id": str(uuid.uuid4()),
            "practitioner_id": p.id,
            "competency": self.rng.choice(COMPETENCIES),
            "level": "independent",
            "rated_on": ago(10).isoformat(),
            "source_type": "session",
            "source_id": p.sessions[0],
            "note": "Without prompts",
        }
        await self.client.write(
            "rating", "coaching", "/ratings", body, body["id"], role="coach", subject=p.coach
        )

    async def observation(self, p: Practitioner) -> None:
        body = observation(
            practitioner_id=p.id, observer_id=p.observer, meeting_date=ago(self.rng.randint(5, 90))
        )
        await self.client.write(
            "observation",
            "fidelity",
            "/observations",
            body,
            body["id"],
            role="observer",
            subject=p.observer,
        )


class Load:
    """`writers` concurrent writers until `stop()`; the acks land in `tally`."""

    def __init__(self, stack: Stack, phase: str, writers: int, pause: float = 0.02) -> None:
        self.tally = Tally()
        self.client = Client(stack, self.tally)
        self.stop_event = asyncio.Event()
        self.writers = [
            Writer(self.client, n, phase, self.stop_event, pause) for n in range(writers)
        ]
        self.tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        self.tasks = [asyncio.create_task(w.run()) for w in self.writers]

    async def stop(self, timeout: float = 150.0) -> None:
        """Let every writer finish the write in hand (retries included), then return."""
        self.stop_event.set()
        done, pending = await asyncio.wait(self.tasks, timeout=timeout)
        for task in pending:
            task.cancel()
        for task in done:
            if task.exception() is not None:
                self.tally.refused.append(f"writer crashed: {task.exception()!r}")
        await self.client.close()

    @property
    def practitioners(self) -> list[str]:
        return [p for w in self.writers for p in w.registered]
