"""A persona's story → the API calls that record it, with stable client ids (pure).

Each call carries a client id derived from the agency, the persona and what the call
records (uuid5), so running the plan again sends identical requests, which every
service answers 200 with the stored record: a second seed stores nothing. The calls
come in three chains per persona (learning, coaching, fidelity); each chain must run
in order (attempts before reviews, sessions before the ratings that cite them), the
chains may run side by side.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from system.demo_history.personas import (
    CALIBRATIONS,
    DEMO_ADMIN,
    OBSERVERS,
    Observed,
    Persona,
)
from system.demo_history.ratings import (
    Instrument,
    gold_standard,
    observation_ratings,
    with_disagreements,
)
from system.demo_history.reviews import review_sittings

COMPETENCIES = ("ENG", "STR", "FAC", "NEED", "SAFE", "NAT", "MON", "TRAN")
SESSION_EVERY = 28  # days: never skips a calendar month
COMPONENT_SETS = (
    ("observation", "practice", "feedback"),
    ("modeling", "practice", "feedback", "reflection"),
    ("practice", "feedback", "reflection"),
)
SETTINGS = ("family home", "school", "community center", "video call", "agency office")
NAMESPACE = uuid.UUID("6b0e3c4a-5d1f-4f3e-9a43-2f7c1d0e9b51")
Day = Callable[[int], date]  # days before the anchor → that date


@dataclass(frozen=True)
class Actor:
    subject: str
    role: str


ADMIN = Actor(DEMO_ADMIN, "admin")


@dataclass(frozen=True)
class Call:
    service: str
    path: str
    body: Any  # a JSON object, or a list (an xAPI batch)
    actor: Actor = ADMIN
    method: str = "POST"
    idempotency_key: str | None = None  # for a create that takes no client id


@dataclass(frozen=True)
class PersonaPlan:
    persona: Persona
    registration: Call
    learning: list[Call] = field(default_factory=list)
    coaching: list[Call] = field(default_factory=list)
    fidelity: list[Call] = field(default_factory=list)


@dataclass(frozen=True)
class Catalog:
    """What the plan needs from learning's catalog and fidelity's instrument."""

    concepts: Mapping[str, Sequence[str]]  # module id → concept ids, in module order
    instrument: Instrument


def client_id(agency_id: str, *parts: object) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join([agency_id, *map(str, parts)])))


def _seed(text: str) -> int:
    """A small stable number from a text (hash() is salted per process)."""
    return uuid.uuid5(NAMESPACE, text).int % 1000


def plan_persona(p: Persona, agency_id: str, anchor: date, catalog: Catalog) -> PersonaPlan:
    def day(days_ago: int) -> date:
        return anchor - timedelta(days=days_ago)

    registration = Call(
        "certification",
        "/practitioners",
        {
            "practitioner_id": p.id,
            "role": p.role,
            "program_start": day(p.started).isoformat(),
            "coach_id": p.coach,
            "supervisor_id": p.supervisor,
        },
    )
    return PersonaPlan(
        p,
        registration,
        learning=_learning(p, agency_id, anchor, day, catalog),
        coaching=_coaching(p, agency_id, day),
        fidelity=[
            _observation(p, agency_id, day, n, o, catalog) for n, o in enumerate(p.observations)
        ],
    )


def _moment(on: date, hour: int) -> str:
    return datetime.combine(on, time(hour), tzinfo=UTC).isoformat()


def _learning(p: Persona, agency_id: str, anchor: date, day: Day, catalog: Catalog) -> list[Call]:
    calls = [
        Call(
            "learning",
            "/enrollments",
            {
                "id": client_id(agency_id, p.id, "enrollment"),
                "practitioner_id": p.id,
                "enrolled_on": day(p.started).isoformat(),
            },
        )
    ]
    reviews: list[tuple[str, Call]] = []
    until = datetime.combine(anchor, time(0), tzinfo=UTC)
    for index, module_id in enumerate(list(catalog.concepts)[: p.modules]):
        mastered_ago = p.started - 20 - p.pace * index
        if module_id in p.retakes:
            calls.append(_attempt(p, agency_id, module_id, day(mastered_ago + 7), 0.64, "retake"))
        score = 0.82 + (_seed(p.id + module_id) % 14) / 100
        mastery = _attempt(p, agency_id, module_id, day(mastered_ago), score, "mastery")
        calls.append(mastery)
        if module_id in p.unreviewed:
            continue
        mastered_at = datetime.fromisoformat(mastery.body["attempted_at"])
        for moment, rating in review_sittings(p.id + module_id, mastered_at, until):
            for concept_id in catalog.concepts[module_id]:
                body = {
                    "id": client_id(agency_id, p.id, "review", concept_id, moment.date()),
                    "practitioner_id": p.id,
                    "concept_id": concept_id,
                    "rating": rating,
                    "reviewed_at": moment.isoformat(),
                }
                reviews.append((moment.isoformat(), Call("learning", "/reviews", body)))
    # reviews after every attempt, in time order: a card refuses a review older than its last
    return calls + [call for _, call in sorted(reviews, key=lambda r: (r[0], r[1].body["id"]))]


def _attempt(p: Persona, agency_id: str, module_id: str, on: date, score: float, kind: str) -> Call:
    body = {
        "id": client_id(agency_id, p.id, "attempt", module_id, kind),
        "practitioner_id": p.id,
        "module_id": module_id,
        "scaled_score": round(score, 2),
        "attempted_at": _moment(on, 15),
    }
    return Call("learning", "/attempts", body)


def _coaching(p: Persona, agency_id: str, day: Day) -> list[Call]:
    coach = Actor(p.coach, "coach")
    calls = [
        Call(
            "coaching",
            "/assignments",
            {
                "id": client_id(agency_id, p.id, "assignment"),
                "coach_id": p.coach,
                "practitioner_id": p.id,
                "valid_from": day(p.started).isoformat(),
                "valid_to": None,
            },
        )
    ]
    sessions: list[tuple[int, str]] = []  # (days after start, session id)
    after = 10
    while p.started - after >= max(p.coaching_stops, 1):
        session_id = client_id(agency_id, p.id, "session", after)
        n = len(sessions)
        body = {
            "id": session_id,
            "practitioner_id": p.id,
            "held_on": day(p.started - after).isoformat(),
            "duration_minutes": (60, 45, 90)[n % 3],
            "modality": ("in_person", "virtual", "live_coaching")[n % 3],
            "components": list(COMPONENT_SETS[n % len(COMPONENT_SETS)]),
            "competencies": [COMPETENCIES[n % 8], COMPETENCIES[(n + 3) % 8]],
            "goal_ids": [],
            "notes": "",
        }
        calls.append(Call("coaching", "/sessions", body, coach))
        sessions.append((after, session_id))
        after += SESSION_EVERY
    calls.extend(_ratings(p, agency_id, day, sessions, coach))
    return calls


def _ratings(
    p: Persona, agency_id: str, day: Day, sessions: list[tuple[int, str]], coach: Actor
) -> list[Call]:
    """Early skills with_support after ~3 months, every core skill independent later."""
    steps = [("with_support", 90)]
    if p.independent_after is not None:
        steps.append(("independent", p.independent_after))
    calls = []
    for level, target in steps:
        held = [s for s in sessions if s[0] <= target]
        if not held or (level == "with_support" and held[-1][0] < 60):
            continue  # too early in the program to rate anything
        after, session_id = held[-1]  # rated in the last session before the target day
        # the first rating covers the skills of the early modules, the second all of them
        for competency in COMPETENCIES if level == "independent" else COMPETENCIES[:4]:
            if level == "independent" and competency in p.weak_skills:
                continue
            body = {
                "id": client_id(agency_id, p.id, "rating", competency, level),
                "practitioner_id": p.id,
                "competency": competency,
                "level": level,
                "rated_on": day(p.started - after).isoformat(),
                "source_type": "session",
                "source_id": session_id,
                "note": "",
            }
            calls.append(Call("coaching", "/ratings", body, coach))
    return calls


def _observation(
    p: Persona, agency_id: str, day: Day, n: int, observed: Observed, catalog: Catalog
) -> Call:
    observer = OBSERVERS[(_seed(p.id) + n) % len(OBSERVERS)]
    instrument = catalog.instrument
    body = {
        "id": client_id(agency_id, p.id, "observation", n),
        "instrument_key": instrument.key,
        "instrument_version": instrument.version,
        "practitioner_id": p.id,
        "observer_id": observer,
        "meeting_date": day(observed.days_ago).isoformat(),
        "setting": SETTINGS[(_seed(p.id) + n) % len(SETTINGS)],
        "ratings": observation_ratings(instrument, observed.total, observed.weak_domain),
    }
    return Call("fidelity", "/observations", body, Actor(observer, "observer"))


def calibration_calls(agency_id: str, anchor: date, instrument: Instrument) -> list[list[Call]]:
    """Per yearly round: the admin's reference meeting, then each observer's attempt on it."""
    gold = gold_standard(instrument)
    rounds = []
    for days_ago in CALIBRATIONS:
        reference_id = client_id(agency_id, "reference", days_ago)
        on = anchor - timedelta(days=days_ago)
        reference = Call(
            "fidelity",
            "/calibration/references",
            {
                "id": reference_id,
                "title": f"Reference team meeting {on.isoformat()}",
                "instrument_key": instrument.key,
                "instrument_version": instrument.version,
                "meeting_date": (on - timedelta(days=7)).isoformat(),
                "gold_ratings": gold,
            },
        )
        attempts = [
            Call(
                "fidelity",
                "/calibration/attempts",
                {
                    "id": client_id(agency_id, "calibration", observer, days_ago),
                    "reference_id": reference_id,
                    "attempted_on": on.isoformat(),
                    "ratings": with_disagreements(gold, n + 1),
                },
                Actor(observer, "observer"),
            )
            for n, observer in enumerate(OBSERVERS)
        ]
        rounds.append([reference, *attempts])
    return rounds
