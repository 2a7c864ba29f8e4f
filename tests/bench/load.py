"""Closed-loop HTTP load: N clients, each sending its next request when the last answered.

Every figure and its ceiling are driven by the same code and the same client, so the
client's own cost weighs on both sides of a ratio alike. Each loop has its own keep-alive
connection (tests/bench/http_client.py): a lean client, because it shares the machine's
two cores with the servers it measures (httpx cost more CPU per request than a stored
state read costs the service). The benches run their loops on uvloop (`run`), the event
loop the services run on; each outcome carries the client's own CPU per request.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar

import uvloop

from tests.bench.http_client import KeepAliveClient

T = TypeVar("T")

# (client, worker number, step) → whether the request was answered 2xx
Request = Callable[[KeepAliveClient, int, int], Awaitable[bool]]


@dataclass
class Outcome:
    done: int = 0
    failed: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)  # seconds, answered requests
    server_cpu: float = float("nan")  # CPU seconds the serving process spent meanwhile
    client_cpu: float = 0.0  # CPU seconds this process (the load client) spent meanwhile

    @property
    def rate(self) -> float:
        return self.done / self.seconds if self.seconds else 0.0

    def percentile_ms(self, share: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))] * 1000

    @property
    def cpu_ms_per_request(self) -> float:
        """The server's CPU per answered request: steadier than a rate on a busy machine."""
        return self.server_cpu / self.done * 1000 if self.done else float("nan")

    @property
    def client_cpu_ms_per_request(self) -> float:
        """The load client's own CPU per answered request (it shares the cores)."""
        return self.client_cpu / self.done * 1000 if self.done else float("nan")

    @property
    def median_ms(self) -> float:
        return statistics.median(self.latencies) * 1000 if self.latencies else float("nan")


async def closed_loop(
    clients: int, seconds: float, request: Request, cpu: Callable[[], float] | None = None
) -> Outcome:
    """`clients` concurrent loops for `seconds` (after a short warm-up of one each);
    `cpu` reads the serving process's CPU seconds, measured over the loops."""
    outcome = Outcome()
    pools = [KeepAliveClient(timeout=30) for _ in range(clients)]
    try:
        await asyncio.gather(*(request(pools[w], w, 0) for w in range(clients)))
        deadline = time.perf_counter() + seconds

        async def loop(worker: int) -> None:
            http = pools[worker]
            step = 0
            while time.perf_counter() < deadline:
                step += 1
                started = time.perf_counter()
                if await request(http, worker, step):
                    outcome.done += 1
                    outcome.latencies.append(time.perf_counter() - started)
                else:
                    outcome.failed += 1

        started, cpu_before = time.perf_counter(), cpu() if cpu else 0.0
        client_before = time.process_time()
        await asyncio.gather(*(loop(w) for w in range(clients)))
        outcome.seconds = time.perf_counter() - started
        outcome.client_cpu = time.process_time() - client_before
        if cpu is not None:
            outcome.server_cpu = cpu() - cpu_before
    finally:
        for pool in pools:
            await pool.aclose()
    return outcome


def run_on_uvloop(main: Coroutine[Any, Any, T]) -> T:
    """Run a bench on uvloop, the event loop the services run on: the load client then
    costs about half the CPU a request it costs on asyncio's own loop, CPU the servers
    it measures share."""
    return uvloop.run(main)
