"""Figure 4: one observation POST → the agency's subscriber receives the transition.

Each sample practitioner of agency `latency` has a history that lacks only its second
qualifying observation (published to the upstream streams as the other services'
relays would); observer `observer-9` is calibrated at fidelity. One at a time, at light
load, the observation is POSTed to fidelity and the clock stops when a NATS subscriber
on `<root>.certification.latency.>` (what an agency app listens to) sees the
certification event about that practitioner.
"""

from __future__ import annotations

import asyncio
import json
import time
from datetime import timedelta

import httpx
import nats
from nats.aio.msg import Msg

from tests.bench.load import Outcome
from tests.bench.writes import Tokens, ago, post_accepted, registration
from tests.certification.upstream import COMPETENCIES, UpstreamHistory, publish
from tests.fidelity.fidelity_builders import (
    TEAM_MEETING_INDICATORS,
    attempt,
    gold_standard,
    observation,
    reference,
)

AGENCY = "latency"
OBSERVER = "observer-9"
COACH = "coach-1"
EVIDENCE_PER_SAMPLE = 6 + 11 + 8 + 1


def almost_certified(practitioner: str) -> UpstreamHistory:
    """Everything the Facilitator level needs but the second (independent) observation."""
    history = UpstreamHistory(AGENCY, practitioner)
    for order in range(1, 7):
        history.mastered(order, ago(330) + timedelta(days=28 * (order - 1)))
    for month in range(11):
        history.coached(ago(15 + 30 * month))
    for competency in COMPETENCIES:
        history.rated(competency, "independent", ago(40))
    history.observed(ago(60), total=86, observer=COACH)
    return history


class TransitionLatency:
    def __init__(self, urls: dict[str, str], secret: str, nats_url: str, root: str) -> None:
        self.urls = urls
        self.tokens = Tokens(secret, AGENCY)
        self.nats_url = nats_url
        self.root = root

    def practitioner(self, n: int) -> str:
        return f"lat-{n}"

    async def prepare(self, samples: int) -> int:
        """Calibrate the observer, register the samples, publish their histories."""
        admin = self.tokens()
        async with httpx.AsyncClient(timeout=60) as http:
            gold = gold_standard(TEAM_MEETING_INDICATORS)
            fidelity = self.urls["fidelity"]
            ref = await post_accepted(
                http,
                f"{fidelity}/calibration/references",
                reference(meeting_date=ago(100), gold=gold),
                admin,
            )
            await post_accepted(
                http,
                f"{fidelity}/calibration/attempts",
                attempt(ref["id"], ago(100), gold),
                self.tokens("observer", OBSERVER),
            )
            for n in range(samples):
                await post_accepted(
                    http,
                    f"{self.urls['certification']}/practitioners",
                    registration(self.practitioner(n), COACH),
                    admin,
                )
        client = await nats.connect(self.nats_url)
        try:
            events = [
                e for n in range(samples) for e in almost_certified(self.practitioner(n)).events
            ]
            await publish(client, self.root, events)
        finally:
            await client.close()
        return len(events)

    async def measure(self, samples: int, pause: float = 0.05) -> Outcome:
        outcome = Outcome()
        heard: dict[str, asyncio.Future[float]] = {}

        async def on_message(msg: Msg) -> None:
            subject = json.loads(msg.data).get("subject")
            waiting = heard.get(subject)
            if waiting is not None and not waiting.done():
                waiting.set_result(time.perf_counter())

        client = await nats.connect(self.nats_url)
        await client.subscribe(f"{self.root}.certification.{AGENCY}.>", cb=on_message)
        headers = self.tokens("observer", OBSERVER)
        loop = asyncio.get_running_loop()
        started_all = time.perf_counter()
        try:
            async with httpx.AsyncClient(timeout=30) as http:
                for n in range(samples):
                    practitioner = self.practitioner(n)
                    heard[practitioner] = loop.create_future()
                    body = observation(
                        practitioner_id=practitioner, observer_id=OBSERVER, meeting_date=ago(1)
                    )
                    started = time.perf_counter()
                    answer = await http.post(
                        f"{self.urls['fidelity']}/observations", json=body, headers=headers
                    )
                    if answer.status_code not in (200, 201):
                        outcome.failed += 1
                        continue
                    try:
                        arrived = await asyncio.wait_for(heard[practitioner], 15)
                    except TimeoutError:
                        outcome.failed += 1
                        continue
                    outcome.done += 1
                    outcome.latencies.append(arrived - started)
                    await asyncio.sleep(pause)
        finally:
            outcome.seconds = time.perf_counter() - started_all
            await client.close()
        return outcome
