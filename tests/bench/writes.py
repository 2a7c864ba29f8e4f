"""Figure 1: each service's main create through its REST API, one record per request.

Each client works on its own practitioner of agency `writes` (registered at
certification, on the other services' roster copies once the roster event arrived):
learning `POST /attempts`, coaching `POST /sessions` (the coach, after an assignment),
fidelity `POST /observations` (an observer), certification `POST /practitioners` (a new
practitioner each time). Every body has its own client id, as a real client sends.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx

from shared.auth import issue_token, signing_settings
from shared.roster_client import is_not_on_roster
from tests.bench.http_client import KeepAliveClient
from tests.bench.load import Outcome, Request, closed_loop
from tests.fidelity.fidelity_builders import observation

TODAY = date.today()
PROGRAM_START = TODAY - timedelta(days=360)


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


class Tokens:
    """Bearer headers of one agency, signed with the stack's secret."""

    def __init__(self, secret: str, agency: str) -> None:
        self.settings = signing_settings(secret)
        self.agency = agency
        self.cache: dict[tuple[str, str], dict[str, str]] = {}

    def __call__(self, role: str = "admin", subject: str = "bench-admin") -> dict[str, str]:
        if (role, subject) not in self.cache:
            token = issue_token(
                self.settings,
                subject=subject,
                agency_id=self.agency,
                roles=[role],
                ttl_seconds=86400,
            )
            self.cache[(role, subject)] = {"Authorization": f"Bearer {token}"}
        return self.cache[(role, subject)]


async def post_accepted(
    http: httpx.AsyncClient, url: str, body: dict[str, Any], headers: dict[str, str]
) -> dict[str, Any]:
    """POST until 2xx; waits while the practitioner is not yet on this service's roster."""
    deadline = time.monotonic() + 60
    while True:
        answer = await http.post(url, json=body, headers=headers)
        if 200 <= answer.status_code < 300:
            result: dict[str, Any] = answer.json()
            return result
        if not is_not_on_roster(answer) or time.monotonic() > deadline:
            raise RuntimeError(f"POST {url}: {answer.status_code} {answer.text[:400]}")
        await asyncio.sleep(0.1)


def registration(practitioner: str, coach: str = "coach-1") -> dict[str, Any]:
    return {
        "practitioner_id": practitioner,
        "role": "facilitator",
        "program_start": PROGRAM_START.isoformat(),
        "coach_id": coach,
        "supervisor_id": "sup-bench",
    }


class Writes:
    """The four creates of agency `writes`, each client on its own practitioner."""

    def __init__(self, urls: dict[str, str], secret: str, clients: int) -> None:
        self.urls = urls
        self.tokens = Tokens(secret, "writes")
        self.clients = clients
        self.nonce = uuid.uuid4().hex[:6]

    def practitioner(self, worker: int) -> str:
        return f"w-{worker}"

    async def prepare(self) -> None:
        """Register, enroll and assign one practitioner per client (16 at a time)."""
        admin = self.tokens()
        gate = asyncio.Semaphore(16)

        async def register(http: httpx.AsyncClient, worker: int) -> None:
            body = registration(self.practitioner(worker), f"coach-{worker}")
            async with gate:
                await post_accepted(
                    http, f"{self.urls['certification']}/practitioners", body, admin
                )

        async def enroll_and_assign(http: httpx.AsyncClient, worker: int) -> None:
            p = self.practitioner(worker)
            enrollment = {"practitioner_id": p, "enrolled_on": PROGRAM_START.isoformat()}
            assignment = {
                "id": str(uuid.uuid4()),
                "coach_id": f"coach-{worker}",
                "practitioner_id": p,
                "valid_from": PROGRAM_START.isoformat(),
                "valid_to": None,
            }
            async with gate:
                await post_accepted(http, f"{self.urls['learning']}/enrollments", enrollment, admin)
                await post_accepted(http, f"{self.urls['coaching']}/assignments", assignment, admin)

        async with httpx.AsyncClient(timeout=60) as http:
            await asyncio.gather(*(register(http, w) for w in range(self.clients)))
            await asyncio.gather(*(enroll_and_assign(http, w) for w in range(self.clients)))

    def request(self, service: str) -> Request:
        url = self.urls[service]

        async def attempt(http: KeepAliveClient, worker: int, step: int) -> bool:
            at = datetime.combine(PROGRAM_START, datetime.min.time(), tzinfo=UTC)
            body = {
                "id": str(uuid.uuid4()),
                "practitioner_id": self.practitioner(worker),
                "module_id": "M1",
                "scaled_score": 0.5,
                "attempted_at": (at + timedelta(minutes=step)).isoformat(),
            }
            answer = await http.post(f"{url}/attempts", json=body, headers=self.tokens())
            return answer.status_code in (200, 201)

        async def session(http: KeepAliveClient, worker: int, step: int) -> bool:
            body = {
                "id": str(uuid.uuid4()),
                "practitioner_id": self.practitioner(worker),
                "held_on": ago(1 + step % 300).isoformat(),
                "duration_minutes": 60,
                "modality": "in_person",
                "components": ["observation", "practice", "feedback"],
                "competencies": ["FAC"],
                "goal_ids": [],
                "notes": "Rehearsed the family vision",
            }
            headers = self.tokens("coach", f"coach-{worker}")
            answer = await http.post(f"{url}/sessions", json=body, headers=headers)
            return answer.status_code in (200, 201)

        async def observe(http: KeepAliveClient, worker: int, step: int) -> bool:
            body = observation(
                practitioner_id=self.practitioner(worker),
                observer_id=f"observer-{worker}",
                meeting_date=ago(1 + step % 300),
            )
            headers = self.tokens("observer", f"observer-{worker}")
            answer = await http.post(f"{url}/observations", json=body, headers=headers)
            return answer.status_code in (200, 201)

        async def register(http: KeepAliveClient, worker: int, step: int) -> bool:
            body = registration(f"r-{self.nonce}-{worker}-{step}")
            answer = await http.post(f"{url}/practitioners", json=body, headers=self.tokens())
            return answer.status_code in (200, 201)

        return {
            "learning": attempt,
            "coaching": session,
            "fidelity": observe,
            "certification": register,
        }[service]

    async def measure(
        self, service: str, clients: int, seconds: float, cpu: Callable[[], float] | None = None
    ) -> Outcome:
        self.nonce = uuid.uuid4().hex[:6]  # new practitioners at every run of the register
        return await closed_loop(clients, seconds, self.request(service), cpu)


MAIN_CREATE = {
    "learning": "POST /attempts",
    "coaching": "POST /sessions",
    "fidelity": "POST /observations",
    "certification": "POST /practitioners",
}
