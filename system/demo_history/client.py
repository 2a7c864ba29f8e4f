"""Sending the plan: bearer tokens per actor, bounded concurrency, the retries callers owe.

Bearer tokens are minted per actor; the LMS's calls use its HTTP Basic credential. An
xAPI batch is looked up by its first statement id first (a batch is stored whole or not
at all), so a repeat seed sends nothing and counts it as stored. Two answers are
retried: a 422 whose problem type ends with `/not-on-roster` (learning, coaching and
fidelity learn the roster from certification's events, a moment after the
registration) for up to `roster_wait` seconds, and a 503 (database away) after its
`Retry-After`. Any other answer but 200/201/204 stops the seed with the problem's words.
201 counts as created, 200 and 204 as already stored (an identical repeat).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from shared.roster_client import is_not_on_roster
from system.demo_history.lms import LMS, STATEMENTS
from system.demo_history.plan import ADMIN, Actor, Call

Mint = Callable[[str, str], str]  # (subject, role) → bearer token


class SeedError(RuntimeError):
    """A request of the seed was refused; the message says which and why."""


@dataclass
class Tally:
    created: int = 0
    existing: int = 0


class DemoApi:
    def __init__(
        self,
        clients: Mapping[str, httpx.AsyncClient],
        mint: Mint,
        *,
        lms: tuple[str, str],
        concurrency: int = 12,
        roster_wait: float = 10.0,
    ) -> None:
        self.clients = clients
        self.mint = mint
        self.lms = httpx.BasicAuth(*lms)
        self.roster_wait = roster_wait
        self.tally = Tally()
        self._gate = asyncio.Semaphore(concurrency)
        self._tokens: dict[Actor, dict[str, str]] = {}

    def _headers(self, actor: Actor) -> dict[str, str]:
        if actor == LMS:
            return {"X-Experience-API-Version": "1.0.3"}
        if actor not in self._tokens:
            self._tokens[actor] = {
                "Authorization": f"Bearer {self.mint(actor.subject, actor.role)}"
            }
        return self._tokens[actor]

    async def get(self, service: str, path: str, **params: Any) -> Any:
        async with self._gate:
            response = await self.clients[service].get(
                path, params=params, headers=self._headers(ADMIN)
            )
        if response.status_code != 200:
            raise SeedError(f"GET {service} {path}: {response.status_code} {_detail(response)}")
        return response.json()

    async def send(self, call: Call) -> Any:
        if call.path == STATEMENTS:
            return await self._send_statements(call)
        deadline = time.monotonic() + self.roster_wait
        while True:
            async with self._gate:
                headers = self._headers(call.actor)
                if call.idempotency_key:
                    headers = {**headers, "Idempotency-Key": call.idempotency_key}
                response = await self.clients[call.service].request(
                    call.method, call.path, json=call.body, headers=headers
                )
            if response.status_code in (200, 201, 204):
                if response.status_code == 201:
                    self.tally.created += 1
                else:
                    self.tally.existing += 1
                return response.json() if response.content else None
            if is_not_on_roster(response) and time.monotonic() < deadline:
                await asyncio.sleep(0.2)
                continue
            if response.status_code == 503 and time.monotonic() < deadline:
                await asyncio.sleep(min(float(response.headers.get("Retry-After", "1")), 2.0))
                continue
            raise SeedError(
                f"{call.method} {call.service} {call.path} as {call.actor.subject}: "
                f"{response.status_code} {_detail(response)}"
            )

    async def _send_statements(self, call: Call) -> None:
        client, headers = self.clients[call.service], self._headers(LMS)
        async with self._gate:
            stored = await client.get(
                STATEMENTS,
                params={"statementId": call.body[0]["id"]},
                headers=headers,
                auth=self.lms,
            )
            if stored.status_code == 200:
                self.tally.existing += len(call.body)
                return
            response = await client.post(STATEMENTS, json=call.body, headers=headers, auth=self.lms)
        if response.status_code != 200:
            raise SeedError(
                f"POST learning {STATEMENTS}: {response.status_code} {_detail(response)}"
            )
        self.tally.created += len(call.body)

    async def send_in_order(self, calls: list[Call]) -> None:
        for call in calls:
            await self.send(call)


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:300]
    if isinstance(body, dict):
        return str(body.get("detail") or body.get("title") or body)[:500]
    return str(body)[:300]
