"""End to end: four services over real NATS and PostgreSQL turn practice into certification.

Learning (assessment attempts), coaching (assignment, sessions, ratings) and fidelity
(calibrated observers, observations) are driven through their own APIs with a
back-dated 12-month history; the certification service consumes their streams and
publishes `certification_granted`, which the agency's app (examples/agency_app.py, a
durable pull consumer named after the agency) receives and another agency's app does not.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import httpx

from examples.agency_app import follow
from services.certification.bootstrap import create_service_app as certification_app
from services.certification.config import CertificationSettings
from services.coaching.bootstrap import create_service_app as coaching_app
from services.coaching.config import CoachingSettings
from services.fidelity.bootstrap import create_service_app as fidelity_app
from services.fidelity.config import FidelitySettings
from services.learning.bootstrap import create_service_app as learning_app
from services.learning.config import LearningSettings
from services.learning.domain.review import ReviewOutcome, apply_review, start_card
from services.learning.domain.seed_catalog import SEED_CATALOG
from shared.config import ServiceSettings
from shared.roster_client import until_on_roster
from shared.servers import NatsServer
from shared.testing.apps import bearer, running
from shared.testing.waiting import eventually
from tests.fidelity.fidelity_builders import (
    TEAM_MEETING_INDICATORS,
    attempt,
    gold_standard,
    observation,
    reference,
)

PRACTITIONER, COACH, OBSERVER = "prac-pat", "coach-ana", "observer-olu"
COMPETENCIES = ("ENG", "STR", "FAC", "NEED", "SAFE", "NAT", "MON", "TRAN")
TODAY = date.today()
PROGRAM_START = TODAY - timedelta(days=360)
FIRST_OBSERVATION = TODAY - timedelta(days=50)
GRANT_DAY = TODAY - timedelta(days=10)  # the second, independent observation


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


@dataclass
class Service:
    client: httpx.AsyncClient
    settings: ServiceSettings
    agency_id: str

    async def post(self, path: str, body: dict[str, Any], *roles: str, subject: str) -> Any:
        """POST as certification's other callers do: a practitioner registered a moment ago
        may not be on this service's roster copy yet, so not-on-roster is retried."""
        headers = bearer(self.settings, self.agency_id, *roles, subject=subject)
        response = await until_on_roster(lambda: self.client.post(path, json=body, headers=headers))
        assert response.status_code in (200, 201), (path, response.text)
        return response.json()


@dataclass
class Agency:
    learning: Service
    coaching: Service
    fidelity: Service
    certification: Service


@asynccontextmanager
async def four_services(settings_for: Callable[..., Any], agency_id: str) -> AsyncIterator[Agency]:
    # no periodic lapse job: the lapses a history implies are announced as it is recorded
    configured = [
        (learning_app, settings_for(LearningSettings, lapse_check_interval_seconds=0)),
        (coaching_app, settings_for(CoachingSettings)),
        (fidelity_app, settings_for(FidelitySettings)),
        (certification_app, settings_for(CertificationSettings, db_pool_max=10)),
    ]
    async with AsyncExitStack() as stack:
        services = [
            Service(await stack.enter_async_context(running(create(settings))), settings, agency_id)
            for create, settings in configured
        ]
        yield Agency(*services)


async def learn(agency: Agency, *, reviewed: bool = True) -> None:
    admin = {"subject": "admin-ada"}
    await agency.learning.post(
        "/enrollments",
        {"practitioner_id": PRACTITIONER, "enrolled_on": PROGRAM_START.isoformat()},
        "admin",
        **admin,
    )
    for order in range(1, 7):
        mastered_at = datetime.combine(ago(330 - 28 * order), time(15), tzinfo=UTC)
        body = {
            "practitioner_id": PRACTITIONER,
            "module_id": f"M{order}",
            "scaled_score": 0.9,
            "attempted_at": mastered_at.isoformat(),
        }
        await agency.learning.post("/attempts", body, "admin", **admin)
        # without reviews the history would imply lapsed concepts, and no grant
        reviews = reviews_on_time(f"M{order}", mastered_at) if reviewed else []
        for concept_id, reviewed_at in reviews:
            review = {
                "practitioner_id": PRACTITIONER,
                "concept_id": concept_id,
                "rating": "good",
                "reviewed_at": reviewed_at.isoformat(),
            }
            await agency.learning.post("/reviews", review, "admin", **admin)


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


async def coach(agency: Agency) -> None:
    assignment = {
        "coach_id": COACH,
        "practitioner_id": PRACTITIONER,
        "valid_from": PROGRAM_START.isoformat(),
        "valid_to": None,
    }
    await agency.coaching.post("/assignments", assignment, "admin", subject="admin-ada")
    session_ids = []
    for month in range(11):  # roughly monthly: 11 sessions over the last 11 months
        session = {
            "id": str(uuid.uuid4()),
            "practitioner_id": PRACTITIONER,
            "held_on": ago(15 + 30 * month).isoformat(),
            "duration_minutes": 60,
            "modality": "in_person",
            "components": ["observation", "practice", "feedback"],
            "competencies": ["FAC"],
            "goal_ids": [],
            "notes": "Rehearsed the family vision",
        }
        session_ids.append(
            (await agency.coaching.post("/sessions", session, "coach", subject=COACH))["id"]
        )
    for competency in COMPETENCIES:
        rating = {
            "id": str(uuid.uuid4()),
            "practitioner_id": PRACTITIONER,
            "competency": competency,
            "level": "independent",
            "rated_on": ago(60).isoformat(),
            "source_type": "session",
            "source_id": session_ids[2],
            "note": "Without prompts",
        }
        await agency.coaching.post("/ratings", rating, "coach", subject=COACH)


async def observe(agency: Agency) -> None:
    gold = gold_standard(TEAM_MEETING_INDICATORS)
    for observer in (COACH, OBSERVER):  # both calibrated against master raters first
        ref = await agency.fidelity.post(
            "/calibration/references",
            reference(meeting_date=ago(100), gold=gold),
            "admin",
            subject="admin-ada",
        )
        await agency.fidelity.post(
            "/calibration/attempts",
            attempt(ref["id"], ago(100), gold),
            "observer",
            subject=observer,
        )
    for observer, day in ((COACH, FIRST_OBSERVATION), (OBSERVER, GRANT_DAY)):
        body = observation(practitioner_id=PRACTITIONER, observer_id=observer, meeting_date=day)
        recorded = await agency.fidelity.post("/observations", body, "observer", subject=observer)
        assert recorded["observer_calibrated"] is True


async def test_practice_recorded_in_three_services_grants_certification_to_that_agency_only(
    settings_for: Callable[..., Any], nats_server: NatsServer, agency_id: str
) -> None:
    other_agency = "other-" + uuid.uuid4().hex[:8]
    heard: dict[str, list[dict[str, Any]]] = {agency_id: [], other_agency: []}

    def app_of(agency: str) -> asyncio.Task[int]:
        async def collect(event: dict[str, Any]) -> None:
            heard[agency].append(event)

        root = settings_for(CertificationSettings).subject_root
        return asyncio.create_task(
            follow(agency, url=nats_server.url, subject_root=root, handle=collect)
        )

    async with four_services(settings_for, agency_id) as agency:
        other = Service(agency.certification.client, agency.certification.settings, other_agency)
        listeners = [app_of(agency_id), app_of(other_agency)]
        for service, practitioner in ((agency.certification, PRACTITIONER), (other, "prac-zed")):
            registration = {
                "practitioner_id": practitioner,
                "role": "facilitator",
                "program_start": PROGRAM_START.isoformat(),
                "coach_id": COACH,
                "supervisor_id": "sup-sam",
            }
            await service.post("/practitioners", registration, "admin", subject="admin-ada")
        await asyncio.gather(learn(agency), coach(agency), observe(agency))

        def names(agency: str) -> list[str]:
            return [e["type"].split(".")[-2] for e in heard[agency]]

        def certification_events(agency: str) -> list[dict[str, Any]]:
            return [e for e in heard[agency] if ".certification_" in e["type"]]

        # The three services' evidence reaches certification in any order, so a status
        # decided on part of it may be announced and later corrected (docs/events.md:
        # `corrects`, `correction`); what must hold is that the last word is the grant the
        # whole evidence gives.
        async def granted() -> bool:
            told = certification_events(agency_id)
            return (
                bool(told)
                and told[-1]["type"].endswith("certification_granted.v1")
                and told[-1]["data"]["true_effective_on"] == GRANT_DAY.isoformat()
            )

        await eventually(granted, timeout=40)
        await asyncio.sleep(1.0)  # anything the other agency should not hear would arrive now
        for listener in listeners:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener

        *earlier, grant = certification_events(agency_id)
        assert (grant["subject"], grant["agencyid"]) == (PRACTITIONER, agency_id)
        assert grant["data"]["true_effective_on"] == GRANT_DAY.isoformat()
        if not earlier:  # told at once: no date was clamped to an earlier announcement
            assert grant["data"]["effective_on"] == GRANT_DAY.isoformat()
        requirements = {r["requirement"]: r for r in grant["data"]["explanation"]["requirements"]}
        assert all(r["met"] for r in requirements.values())
        assert (
            f"observed by {OBSERVER}, not the practitioner's coach"
            in (requirements["qualifying_observations"]["reason"])
        )
        assert names(other_agency) == ["practitioner_registered"]
        assert {e["subject"] for e in heard[other_agency]} == {"prac-zed"}
