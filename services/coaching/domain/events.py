"""The coaching service's events: past-tense facts, payloads as in docs/events.md.

`coach_assigned`, `coach_assignment_ended`, `coaching_session_held` and `skill_rated`
are contracts certification reads; their fields must not change without a new version.
The others (plans, goals, peer learning, reflections, teams) are for coaches' and agency
apps, documented on each class.

Free text a person wrote (session notes, rating notes, reflection text) is *not* in the
payloads: it is stored with the event as private metadata, which the relay never
publishes, so the log stays complete while the wire carries only the facts.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict

from shared.events import DomainEvent, EventRegistry


class CoachAssigned(DomainEvent):
    assignment_id: str
    coach_id: str
    practitioner_id: str
    valid_from: date
    valid_to: date | None


class CoachAssignmentEnded(DomainEvent):
    assignment_id: str
    coach_id: str
    practitioner_id: str
    valid_to: date


class PlannedGoal(BaseModel):
    """A goal as it stands in a `coaching_plan_set` snapshot."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    goal_id: str
    competency: str
    target_level: str
    description: str
    status: str
    closed_on: date | None = None
    achieved_by_rating_id: str | None = None


class CoachingPlanSet(DomainEvent):
    """The whole plan as it now stands (created, a goal added, a goal closed by hand)."""

    plan_id: str
    practitioner_id: str
    goals: tuple[PlannedGoal, ...]


class GoalAchieved(DomainEvent):
    """A goal reached: by a rating at or above target (`rating_id`), or by hand (null)."""

    plan_id: str
    goal_id: str
    practitioner_id: str
    competency: str
    target_level: str
    achieved_on: date
    rating_id: str | None


class CoachingSessionHeld(DomainEvent):
    session_id: str
    coach_id: str
    practitioner_id: str
    held_on: date
    duration_minutes: int
    modality: str
    components: tuple[str, ...]
    competencies: tuple[str, ...]
    goal_ids: tuple[str, ...]


class SkillRated(DomainEvent):
    rating_id: str
    practitioner_id: str
    rater_id: str
    competency: str
    level: str
    rated_on: date
    source_type: str
    source_id: str


class PeerLearningSessionHeld(DomainEvent):
    """Subject: the facilitator. `participant_ids` excludes the facilitator."""

    session_id: str
    facilitator_id: str
    participant_ids: tuple[str, ...]
    held_on: date
    competencies: tuple[str, ...]
    shared: str


class ReflectionRecorded(DomainEvent):
    """That a reflection was written; its text stays private (see the module docstring)."""

    reflection_id: str
    practitioner_id: str
    written_on: date
    competency: str | None


class TeamSet(DomainEvent):
    """A supervisor's team as once set here; no longer written, teams are the roster's.

    Registered so that logs written before the roster owned teams still read."""

    supervisor_id: str
    practitioner_ids: tuple[str, ...]


registry = EventRegistry()
for _event in (
    CoachAssigned,
    CoachAssignmentEnded,
    CoachingPlanSet,
    GoalAchieved,
    CoachingSessionHeld,
    SkillRated,
    PeerLearningSessionHeld,
    ReflectionRecorded,
    TeamSet,
):
    registry.register(_event)
