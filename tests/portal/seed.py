"""The agencies the browser tests look at, written through the services' public APIs.

Agency A: prac-pat certified (a year of learning, monthly coaching, ratings, two
calibrated observations), prac-risk certified then at risk (a weak third observation),
prac-new in progress. Agency B: prac-zed, whom agency A's people must not find.
Practitioners are registered at certification first; evidence for them that another
service refuses as not on its roster yet (its copy lags by milliseconds) is retried.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import httpx

from services.learning.domain.review import ReviewOutcome, apply_review, start_card
from services.learning.domain.seed_catalog import SEED_CATALOG
from shared.config import ServiceSettings
from shared.testing.apps import bearer
from shared.testing.waiting import eventually
from tests.fidelity.fidelity_builders import (
    TEAM_MEETING_INDICATORS,
    attempt,
    gold_standard,
    observation,
    ratings,
    reference,
)

TODAY = date.today()
PROGRAM_START = TODAY - timedelta(days=360)
COMPETENCIES = ("ENG", "STR", "FAC", "NEED", "SAFE", "NAT", "MON", "TRAN")
ADMIN, SUPERVISOR, COACH, OBSERVER = "admin-ada", "sup-sam", "coach-ana", "observer-olu"
CERTIFIED, AT_RISK, NEW_STARTER, OTHER_AGENCY = "prac-pat", "prac-risk", "prac-new", "prac-zed"


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


@dataclass
class Api:
    http: httpx.AsyncClient
    url: str
    settings: ServiceSettings
    agency_id: str

    async def call(self, method: str, path: str, body: Any, role: str, subject: str) -> Any:
        headers = bearer(self.settings, self.agency_id, role, subject=subject)
        for _ in range(100):  # a roster copy that lags answers not-on-roster for a moment
            response = await self.http.request(method, self.url + path, json=body, headers=headers)
            refused = response.status_code == 422 and "not-on-roster" in response.text
            if not refused:
                break
            await asyncio.sleep(0.1)
        assert response.status_code in (200, 201), (path, response.text)
        return response.json()

    async def post(self, path: str, body: Any, role: str = "admin", subject: str = ADMIN) -> Any:
        return await self.call("POST", path, body, role, subject)

    async def get(self, path: str, role: str = "admin", subject: str = ADMIN) -> Any:
        return await self.call("GET", path, None, role, subject)


@dataclass
class Agency:
    learning: Api
    coaching: Api
    fidelity: Api
    certification: Api


def agency_apis(
    http: httpx.AsyncClient, urls: dict[str, str], settings: dict[str, ServiceSettings], agency: str
) -> Agency:
    return Agency(**{name: Api(http, urls[name], settings[name], agency) for name in urls})


async def register(agency: Agency, practitioner: str, start: date = PROGRAM_START) -> None:
    body = {
        "practitioner_id": practitioner,
        "role": "facilitator",
        "program_start": start.isoformat(),
        "coach_id": COACH,
        "supervisor_id": SUPERVISOR,
    }
    await agency.certification.post("/practitioners", body)


def reviews_on_time(module_id: str, mastered_at: datetime) -> list[tuple[str, datetime]]:
    """A `good` review of each of the module's concepts on every due date up to today."""
    now = datetime.now(UTC)
    reviews = []
    for concept_id in SEED_CATALOG.module(module_id).concept_ids:
        card = start_card(concept_id, mastered_at)
        while card.due < now:
            reviews.append((concept_id, card.due))
            card = apply_review(card, ReviewOutcome.GOOD, card.due)
    return reviews


async def learn(agency: Agency, practitioner: str, modules: int = 6) -> None:
    """Modules mastered over the year, each concept reviewed on time (no lapse implied)."""
    enrolment = {"practitioner_id": practitioner, "enrolled_on": PROGRAM_START.isoformat()}
    await agency.learning.post("/enrollments", enrolment)
    gate = asyncio.Semaphore(8)

    async def review(concept_id: str, at: datetime) -> None:
        body = {
            "practitioner_id": practitioner,
            "concept_id": concept_id,
            "rating": "good",
            "reviewed_at": at.isoformat(),
        }
        async with gate:
            await agency.learning.post("/reviews", body)

    for order in range(1, modules + 1):
        mastered_at = datetime.combine(ago(330 - 28 * order), time(15), tzinfo=UTC)
        body = {
            "practitioner_id": practitioner,
            "module_id": f"M{order}",
            "scaled_score": 0.9,
            "attempted_at": mastered_at.isoformat(),
        }
        await agency.learning.post("/attempts", body)
        reviews = reviews_on_time(f"M{order}", mastered_at)
        await asyncio.gather(*(review(concept, at) for concept, at in reviews))


async def coach(agency: Agency, practitioner: str) -> None:
    assignment = {
        "coach_id": COACH,
        "practitioner_id": practitioner,
        "valid_from": PROGRAM_START.isoformat(),
        "valid_to": None,
    }
    await agency.coaching.post("/assignments", assignment)
    sessions = []
    for month in range(11):
        body = {
            "id": str(uuid.uuid4()),
            "practitioner_id": practitioner,
            "held_on": ago(15 + 30 * month).isoformat(),
            "duration_minutes": 60,
            "modality": "in_person",
            "components": ["observation", "practice", "feedback"],
            "competencies": ["FAC"],
            "goal_ids": [],
            "notes": "Rehearsed the family vision",
        }
        sessions.append((await agency.coaching.post("/sessions", body, "coach", COACH))["id"])
    for competency in COMPETENCIES:
        rating = {
            "id": str(uuid.uuid4()),
            "practitioner_id": practitioner,
            "competency": competency,
            "level": "independent",
            "rated_on": ago(60).isoformat(),
            "source_type": "session",
            "source_id": sessions[2],
            "note": "Without prompts",
        }
        await agency.coaching.post("/ratings", rating, "coach", COACH)


async def calibrate(agency: Agency) -> None:
    gold = gold_standard(TEAM_MEETING_INDICATORS)
    for observer in (COACH, OBSERVER):
        ref = await agency.fidelity.post(
            "/calibration/references", reference(meeting_date=ago(100), gold=gold)
        )
        await agency.fidelity.post(
            "/calibration/attempts", attempt(ref["id"], ago(100), gold), "observer", observer
        )


async def observe(agency: Agency, practitioner: str) -> None:
    for observer, day in ((COACH, ago(50)), (OBSERVER, ago(10))):
        body = observation(practitioner_id=practitioner, observer_id=observer, meeting_date=day)
        await agency.fidelity.post("/observations", body, "observer", observer)


async def weak_observation(agency: Agency, practitioner: str, day: date) -> None:
    rated = ratings(TEAM_MEETING_INDICATORS, present=10)  # 10 of 53 present: a low score
    body = observation(
        practitioner_id=practitioner, observer_id=OBSERVER, meeting_date=day, rated=rated
    )
    await agency.fidelity.post("/observations", body, "observer", OBSERVER)


async def status_of(agency: Agency, practitioner: str) -> str:
    entry = await agency.certification.get(f"/practitioners/{practitioner}")
    return str(entry["levels"][0]["status"])


async def certified_history(agency: Agency, practitioner: str) -> None:
    await register(agency, practitioner)
    await asyncio.gather(
        learn(agency, practitioner), coach(agency, practitioner), observe(agency, practitioner)
    )


async def stricter_policy(agency: Agency) -> None:
    """Version 2 of the default: 400 days of tenure, which the year-old certified lack."""
    stored = await agency.certification.get("/policies/miiwrap-default/versions/1")
    policy = stored["policy"] | {"version": 2, "title": "MiiWrap certification, longer tenure"}
    for requirement in policy["levels"][0]["requires"]:
        if requirement["type"] == "tenure":
            requirement["min_days"] = 400
    await agency.certification.post("/policies", policy)


async def seed(agency: Agency, other: Agency) -> None:
    await calibrate(agency)
    await stricter_policy(agency)
    await asyncio.gather(certified_history(agency, CERTIFIED), certified_history(agency, AT_RISK))
    await register(agency, NEW_STARTER, start=ago(40))
    await learn(agency, NEW_STARTER, modules=1)
    await register(other, OTHER_AGENCY)

    async def certified() -> bool:
        states = [await status_of(agency, p) for p in (CERTIFIED, AT_RISK)]
        return states == ["certified", "certified"]

    await eventually(certified, timeout=60)
    await weak_observation(agency, AT_RISK, ago(5))

    async def at_risk() -> bool:
        return await status_of(agency, AT_RISK) == "at_risk"

    await eventually(at_risk, timeout=30)
