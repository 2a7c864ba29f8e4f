"""One practitioner's year of evidence as API requests, and what certification made of it.

The scenario (dates relative to today) reaches a grant only if every rule is decided on
practice dates: M1 passed twice (the earlier pass is the mastery) after a failure, M2–M6
mastered recently; M1's concepts lapse 68 days ago and four are restored by reviews
(M1.C1 is reviewed in time, so its history holds no lapse at all); ten monthly coaching
sessions, eight ratings, and two observations 40 days apart, the second by an observer
who is not the coach. Each request is one `Send`, so a test can send them in any order.

`CertificationView` is what the order must not change: the certification state and the
evidence certification holds, with each service's own ids (event ids, observation ids)
replaced by what they stand for, so two practitioners with the same history compare equal.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import asyncpg

from services.certification.adapters import evidence_rows
from services.learning.domain.lapse_history import implied_lapses
from services.learning.domain.review import ConceptReview, ReviewOutcome
from shared.testing.apps import bearer
from tests.e2e.test_certification_across_services import Agency, Service
from tests.fidelity.fidelity_builders import observation

COACH, OBSERVER, ADMIN = "coach-ana", "observer-olu", "admin-ada"
COMPETENCIES = ("ENG", "STR", "FAC", "NEED", "SAFE", "NAT", "MON", "TRAN")
TODAY = date.today()
PROGRAM_START = TODAY - timedelta(days=330)
CALIBRATED_ON = TODAY - timedelta(days=100)
# Not the order-dependent part of the property: the roster entry and learning's
# enrollment come first (evidence for someone not on the roster is refused).
FIRST_ATTEMPTS = (("M1", 110, 0.6), ("M1", 100, 0.9), ("M1", 95, 0.95))
LATER_MODULES = (("M2", 28), ("M3", 24), ("M4", 20), ("M5", 16), ("M6", 12))
REVIEWS = (
    ("M1.C1", 90), ("M1.C1", 45), ("M1.C2", 60), ("M1.C2", 20), ("M1.C3", 60),
    ("M1.C4", 60), ("M1.C4", 20), ("M1.C5", 60), ("M1.C5", 20),
)  # fmt: skip
SESSIONS_AGO = tuple(15 + 30 * month for month in range(10))
OBSERVATIONS = ((COACH, 50), (OBSERVER, 10))
# roster entry, coach assignment, M1–M6 masteries, sessions, ratings, observations
PLAIN_EVIDENCE = 1 + 1 + 6 + len(SESSIONS_AGO) + len(COMPETENCIES) + len(OBSERVATIONS)


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


def at_three_pm(days: int) -> datetime:
    return datetime.combine(ago(days), time(15), tzinfo=UTC)


@dataclass(frozen=True)
class Send:
    """One request that records a piece of evidence at its practice date."""

    service: str
    path: str
    body: dict[str, Any] = field(hash=False)
    roles: tuple[str, ...]
    subject: str
    on: date


def observation_id(practitioner_id: str, index: int) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{practitioner_id}/observation/{index}"))


def evidence_for(practitioner_id: str) -> list[Send]:
    """The scenario's evidence for `practitioner_id`, in practice-date order."""
    sends = [
        Send("learning", "/attempts", {"practitioner_id": practitioner_id, "module_id": module,
             "scaled_score": score, "attempted_at": at_three_pm(days).isoformat()},
             ("admin",), ADMIN, ago(days))
        for module, days, score in FIRST_ATTEMPTS
    ] + [
        Send("learning", "/attempts", {"practitioner_id": practitioner_id, "module_id": module,
             "scaled_score": 0.9, "attempted_at": at_three_pm(days).isoformat()},
             ("admin",), ADMIN, ago(days))
        for module, days in LATER_MODULES
    ] + [
        Send("learning", "/reviews", {"practitioner_id": practitioner_id, "concept_id": concept,
             "rating": "good", "reviewed_at": at_three_pm(days).isoformat()},
             ("admin",), ADMIN, ago(days))
        for concept, days in REVIEWS
    ] + [
        Send("coaching", "/sessions", {"id": str(uuid.uuid4()), "practitioner_id": practitioner_id,
             "held_on": ago(days).isoformat(), "duration_minutes": 60, "modality": "in_person",
             "components": ["observation", "practice", "feedback"], "competencies": ["FAC"],
             "goal_ids": [], "notes": "Rehearsed the family vision"},
             ("coach",), COACH, ago(days))
        for days in SESSIONS_AGO
    ] + [
        Send("fidelity", "/observations", observation(
                 practitioner_id=practitioner_id, observer_id=observer, meeting_date=ago(days),
                 id=observation_id(practitioner_id, index)),
             ("observer",), observer, ago(days))
        for index, (observer, days) in enumerate(OBSERVATIONS)
    ] + [
        # rated from the first observation, which coaching does not look up
        Send("coaching", "/ratings", {"id": str(uuid.uuid4()), "practitioner_id": practitioner_id,
             "competency": competency, "level": "independent", "rated_on": ago(45).isoformat(),
             "source_type": "observation", "source_id": observation_id(practitioner_id, 0),
             "note": "Without prompts"},
             ("coach",), COACH, ago(45))
        for competency in COMPETENCIES
    ]  # fmt: skip
    return sorted(sends, key=lambda send: send.on)


def expected_evidence_count() -> int:
    """Plain evidence plus each lapse (and restoration) M1's review history implies."""
    mastered_at = at_three_pm(100)
    reviews = [
        ConceptReview(concept_id=c, outcome=ReviewOutcome.GOOD, reviewed_at=at_three_pm(d))
        for c, d in REVIEWS
    ]
    now = datetime.now(UTC)
    lapses = [
        lapse
        for concept in ("M1.C1", "M1.C2", "M1.C3", "M1.C4", "M1.C5")
        for lapse in implied_lapses(concept, mastered_at, reviews, now)
    ]
    assert lapses, "the scenario is meant to hold lapses"
    return PLAIN_EVIDENCE + len(lapses) + sum(1 for lapse in lapses if lapse.restored_at)


def service_of(agency: Agency, name: str) -> Service:
    service: Service = getattr(agency, name)
    return service


async def send(agency: Agency, request: Send) -> None:
    """Record one piece of evidence (`Service.post` asserts it was accepted)."""
    service = service_of(agency, request.service)
    await service.post(request.path, request.body, *request.roles, subject=request.subject)


@dataclass(frozen=True)
class CertificationView:
    """The certification state and evidence, free of ids that differ between practitioners."""

    state: str
    evidence: tuple[str, ...]


async def certification_view(agency: Agency, practitioner_id: str) -> CertificationView:
    certification = agency.certification
    response = await certification.client.get(
        f"/practitioners/{practitioner_id}/certification",
        headers=bearer(certification.settings, certification.agency_id, "admin", subject=ADMIN),
    )
    assert response.status_code == 200, response.text
    settings = certification.settings
    conn = await asyncpg.connect(
        settings.database_dsn, server_settings={"search_path": f"{settings.db_schema},public"}
    )
    try:
        for type_name in ("json", "jsonb"):  # as the service's own pool decodes them
            await conn.set_type_codec(
                type_name, encoder=json.dumps, decoder=json.loads, schema="pg_catalog"
            )
        evidence = await evidence_rows.evidence_set(conn, certification.agency_id, practitioner_id)
    finally:
        await conn.close()
    ids = {observation_id(practitioner_id, i): f"observation-{i}" for i in range(2)}
    meaning = {
        event_id: _signature(item.model_dump(mode="json"), ids)
        for event_id, item in evidence.items()
    }
    state = _without_ids(response.json(), meaning, ids, practitioner_id)
    return CertificationView(
        state=json.dumps(state, sort_keys=True, indent=1), evidence=tuple(sorted(meaning.values()))
    )


# previous_module_mastered says what learning knew when it recorded a mastery; it is kept
# for old readers and no decision rests on it, so it is no part of what must not change
_NOT_CONTENT = {"event_id", "practitioner_id", "previous_module_mastered"}


def _signature(item: dict[str, Any], ids: dict[str, str]) -> str:
    content = {k: ids.get(v, v) if isinstance(v, str) else v for k, v in item.items()}
    return json.dumps({k: v for k, v in content.items() if k not in _NOT_CONTENT}, sort_keys=True)


def _without_ids(value: Any, meaning: dict[str, str], ids: dict[str, str], person: str) -> Any:
    if isinstance(value, dict):
        return {
            key: sorted(meaning.get(i, f"unknown evidence {i}") for i in item)
            if key == "evidence_ids"
            else _without_ids(item, meaning, ids, person)
            for key, item in value.items()
            if key != "practitioner_id"
        }
    if isinstance(value, list):
        return [_without_ids(item, meaning, ids, person) for item in value]
    if isinstance(value, str):
        for raw, stable in ids.items():
            value = value.replace(raw, stable)
        return value.replace(person, "the practitioner")
    return value
