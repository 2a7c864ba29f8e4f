"""Data builders for the coaching domain tests: valid by default, override what matters.

Imported by its full name, ``tests.coaching.unit.coaching_builders``: the suite runs
in pytest's importlib mode, where test directories are not put on ``sys.path``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any

import pytest

from services.coaching.domain.assignments import AssignCoach, CoachAssignment, HandOver
from services.coaching.domain.culture import PeerLearningSession, Reflection
from services.coaching.domain.errors import CoachingError
from services.coaching.domain.plans import CoachingGoal, CoachingPlan, SetGoal
from services.coaching.domain.ratings import RatingSource, RecordRating, SkillRating
from services.coaching.domain.sessions import CoachingSession, LogSession
from services.coaching.domain.vocabulary import (
    Competency,
    Modality,
    SessionComponent,
    SkillLevel,
    SourceKind,
)

TODAY = date(2025, 6, 15)
COACH = "coach-ana"
OTHER_COACH = "coach-ben"
SUPERVISOR = "supervisor-sam"
PRACTITIONER = "prac-pat"
OTHER_PRACTITIONER = "prac-quinn"


@contextmanager
def refused(kind: type[CoachingError], field: str, *says: str) -> Iterator[None]:
    """Expect ``kind`` naming ``field``, its message containing each of ``says``."""
    with pytest.raises(kind) as caught:
        yield
    assert caught.value.field == field, caught.value
    for phrase in says:
        assert phrase in caught.value.message, caught.value.message


def assignment(
    *,
    coach_id: str = COACH,
    practitioner_id: str = PRACTITIONER,
    valid_from: date = date(2025, 1, 1),
    valid_to: date | None = None,
    assignment_id: str | None = None,
) -> CoachAssignment:
    return CoachAssignment(
        assignment_id=assignment_id or f"asg-{coach_id}-{practitioner_id}-{valid_from}",
        coach_id=coach_id,
        practitioner_id=practitioner_id,
        valid_from=valid_from,
        valid_to=valid_to,
    )


def assign_command(**overrides: Any) -> AssignCoach:
    fields: dict[str, Any] = {
        "assignment_id": "asg-new",
        "coach_id": OTHER_COACH,
        "practitioner_id": PRACTITIONER,
        "valid_from": date(2025, 7, 1),
        "valid_to": None,
    }
    return AssignCoach(**(fields | overrides))


def hand_over_command(**overrides: Any) -> HandOver:
    fields: dict[str, Any] = {
        "assignment_id": "asg-handover",
        "practitioner_id": PRACTITIONER,
        "new_coach_id": OTHER_COACH,
        "starts_on": date(2025, 7, 1),
    }
    return HandOver(**(fields | overrides))


def plan(*goals: CoachingGoal, practitioner_id: str = PRACTITIONER) -> CoachingPlan:
    return CoachingPlan(
        plan_id=f"plan-{practitioner_id}", practitioner_id=practitioner_id, goals=goals
    )


def goal(
    goal_id: str = "goal-fac",
    *,
    competency: Competency = Competency.FAC,
    target: SkillLevel = SkillLevel.INDEPENDENT,
) -> CoachingGoal:
    return CoachingGoal(
        goal_id=goal_id,
        competency=competency,
        target_level=target,
        description=f"Reach {target.value} in {competency.display_name}",
    )


def set_goal_command(**overrides: Any) -> SetGoal:
    fields: dict[str, Any] = {
        "goal_id": "goal-new",
        "competency": "SAFE",
        "target_level": "independent",
        "description": "Lead a safety plan review without prompts",
    }
    return SetGoal(**(fields | overrides))


def log_command(**overrides: Any) -> LogSession:
    fields: dict[str, Any] = {
        "session_id": "ses-1",
        "coach_id": COACH,
        "practitioner_id": PRACTITIONER,
        "held_on": date(2025, 6, 10),
        "duration_minutes": 60,
        "modality": "in_person",
        "components": ["practice", "feedback"],
        "competencies": ["FAC"],
        "goal_ids": [],
        "notes": "",
    }
    return LogSession(**(fields | overrides))


def coaching_session(
    practitioner_id: str = PRACTITIONER,
    held_on: date = date(2025, 6, 10),
    *,
    session_id: str | None = None,
    coach_id: str = COACH,
) -> CoachingSession:
    return CoachingSession(
        session_id=session_id or f"ses-{practitioner_id}-{held_on}",
        coach_id=coach_id,
        practitioner_id=practitioner_id,
        held_on=held_on,
        duration_minutes=60,
        modality=Modality.IN_PERSON,
        components=(SessionComponent.PRACTICE, SessionComponent.FEEDBACK),
        competencies=(Competency.FAC,),
    )


def rating_command(**overrides: Any) -> RecordRating:
    fields: dict[str, Any] = {
        "rating_id": "rat-1",
        "practitioner_id": PRACTITIONER,
        "rater_id": COACH,
        "competency": "FAC",
        "level": "independent",
        "rated_on": date(2025, 6, 10),
        "source_kind": "session",
        "source_id": f"ses-{PRACTITIONER}-2025-06-10",
        "note": "",
    }
    return RecordRating(**(fields | overrides))


def recorded(day: int, hour: int = 12) -> datetime:
    """A recording time in June 2025, UTC: enough to order ratings recorded apart."""
    return datetime(2025, 6, day, hour, tzinfo=UTC)


def rating(
    rating_id: str,
    *,
    level: SkillLevel,
    rated_on: date,
    recorded_at: datetime | None = None,
    competency: Competency = Competency.FAC,
    practitioner_id: str = PRACTITIONER,
) -> SkillRating:
    return SkillRating(
        rating_id=rating_id,
        practitioner_id=practitioner_id,
        rater_id=COACH,
        competency=competency,
        level=level,
        rated_on=rated_on,
        recorded_at=recorded_at or recorded(15),
        source=RatingSource(kind=SourceKind.OBSERVATION, source_id=f"obs-{rating_id}"),
    )


def peer_session(
    session_id: str, held_on: date, *, facilitator: str, participants: tuple[str, ...]
) -> PeerLearningSession:
    return PeerLearningSession(
        session_id=session_id,
        facilitator_id=facilitator,
        participant_ids=participants,
        held_on=held_on,
        shared="How we open a first team meeting",
    )


def reflection(reflection_id: str, practitioner_id: str, written_on: date) -> Reflection:
    return Reflection(
        reflection_id=reflection_id,
        practitioner_id=practitioner_id,
        written_on=written_on,
        text="What I would do differently in the next meeting",
    )
