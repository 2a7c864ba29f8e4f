"""Logging a coaching session: every rule refuses with the field to fix."""

from __future__ import annotations

from datetime import date

import pytest

from services.coaching.domain.assignments import CoachAssignment
from services.coaching.domain.errors import InvalidFieldError, PermissionRefusedError
from services.coaching.domain.plans import CoachingPlan
from services.coaching.domain.sessions import CoachingSession, LogSession, log_session
from services.coaching.domain.vocabulary import Competency, Modality, SessionComponent
from tests.coaching.unit.coaching_builders import (
    COACH,
    OTHER_COACH,
    OTHER_PRACTITIONER,
    PRACTITIONER,
    TODAY,
    assignment,
    goal,
    log_command,
    plan,
    refused,
)

ASSIGNED_SINCE_JANUARY = [assignment(coach_id=COACH, valid_from=date(2025, 1, 1))]


def log(
    command: LogSession,
    *,
    assignments: list[CoachAssignment] | None = None,
    coaching_plan: CoachingPlan | None = None,
) -> CoachingSession:
    return log_session(
        command,
        today=TODAY,
        assignments=ASSIGNED_SINCE_JANUARY if assignments is None else assignments,
        plan=coaching_plan if coaching_plan is not None else plan(goal("g-fac")),
    )


class TestAcceptedSessions:
    def test_valid_session_is_recorded_with_typed_vocabularies(self) -> None:
        session = log(log_command(modality="live_coaching", goal_ids=["g-fac"]))

        assert session.modality is Modality.LIVE_COACHING
        assert session.components == (SessionComponent.PRACTICE, SessionComponent.FEEDBACK)
        assert session.competencies == (Competency.FAC,)
        assert session.goal_ids == ("g-fac",)
        assert session.includes(SessionComponent.PRACTICE, SessionComponent.FEEDBACK)
        assert not session.includes(SessionComponent.MODELING)

    def test_repeated_values_are_recorded_once_in_canonical_order(self) -> None:
        session = log(
            log_command(
                components=["reflection", "observation", "reflection"],
                competencies=["SAFE", "ENG", "SAFE"],
            )
        )

        assert session.components == (SessionComponent.OBSERVATION, SessionComponent.REFLECTION)
        assert session.competencies == (Competency.ENG, Competency.SAFE)

    def test_session_held_today_is_accepted(self) -> None:
        assert log(log_command(held_on=TODAY)).held_on == TODAY

    def test_backdated_session_is_checked_against_the_assignment_of_its_day(self) -> None:
        history = [
            assignment(coach_id=COACH, valid_from=date(2019, 3, 1), valid_to=date(2019, 12, 31))
        ]

        session = log(log_command(held_on=date(2019, 5, 2)), assignments=history)

        assert session.held_on == date(2019, 5, 2)

    @pytest.mark.parametrize("minutes", [1, 480])
    def test_duration_bounds_are_accepted(self, minutes: int) -> None:
        assert log(log_command(duration_minutes=minutes)).duration_minutes == minutes


class TestRefusedFields:
    def test_future_date_is_refused(self) -> None:
        with refused(InvalidFieldError, "held_on", "2025-06-16 is in the future"):
            log(log_command(held_on=date(2025, 6, 16)))

    @pytest.mark.parametrize("minutes", [0, -30, 481])
    def test_duration_outside_one_to_480_minutes_is_refused(self, minutes: int) -> None:
        with refused(InvalidFieldError, "duration_minutes", f"{minutes} minutes", "from 1 to 480"):
            log(log_command(duration_minutes=minutes))

    def test_boolean_duration_is_refused(self) -> None:
        with refused(InvalidFieldError, "duration_minutes", "whole number"):
            log(log_command(duration_minutes=True))

    def test_unknown_modality_is_refused(self) -> None:
        with refused(InvalidFieldError, "modality", "'phone'", "in_person, virtual, live_coaching"):
            log(log_command(modality="phone"))

    def test_empty_components_are_refused(self) -> None:
        with refused(InvalidFieldError, "components", "is empty", "observation, modeling"):
            log(log_command(components=[]))

    def test_unknown_component_is_refused(self) -> None:
        with refused(InvalidFieldError, "components", "'lecture'"):
            log(log_command(components=["practice", "lecture"]))

    def test_components_as_a_bare_string_are_refused(self) -> None:
        with refused(InvalidFieldError, "components", "must be a list"):
            log(log_command(components="practice"))

    def test_empty_competencies_are_refused(self) -> None:
        with refused(InvalidFieldError, "competencies", "is empty"):
            log(log_command(competencies=[]))

    def test_unknown_competency_is_refused(self) -> None:
        with refused(InvalidFieldError, "competencies", "'WRAP'"):
            log(log_command(competencies=["FAC", "WRAP"]))

    def test_blank_session_id_is_refused(self) -> None:
        with refused(InvalidFieldError, "session_id", "empty"):
            log(log_command(session_id=""))


class TestGoalsTouched:
    def test_goal_outside_the_practitioners_plan_is_refused(self) -> None:
        with refused(InvalidFieldError, "goal_ids", "g-other", "not in prac-pat's plan"):
            log(log_command(goal_ids=["g-fac", "g-other"]))

    def test_goals_without_a_plan_are_refused(self) -> None:
        with refused(InvalidFieldError, "goal_ids", "has no coaching plan"):
            log_session(
                log_command(goal_ids=["g-fac"]),
                today=TODAY,
                assignments=ASSIGNED_SINCE_JANUARY,
                plan=None,
            )

    def test_goals_of_another_practitioners_plan_are_refused(self) -> None:
        others_plan = plan(goal("g-fac"), practitioner_id=OTHER_PRACTITIONER)

        with refused(InvalidFieldError, "goal_ids"):
            log(log_command(goal_ids=["g-fac"]), coaching_plan=others_plan)

    def test_session_without_goals_needs_no_plan(self) -> None:
        session = log_session(
            log_command(), today=TODAY, assignments=ASSIGNED_SINCE_JANUARY, plan=None
        )

        assert session.goal_ids == ()


class TestCoachAssignedOnTheSessionDate:
    def test_coach_never_assigned_is_refused(self) -> None:
        with refused(PermissionRefusedError, "coach_id", f"{OTHER_COACH} was not the assigned"):
            log(log_command(coach_id=OTHER_COACH))

    def test_session_after_the_assignment_ended_is_refused(self) -> None:
        history = [assignment(valid_from=date(2025, 1, 1), valid_to=date(2025, 5, 31))]

        with refused(PermissionRefusedError, "coach_id", "on 2025-06-10"):
            log(log_command(held_on=date(2025, 6, 10)), assignments=history)

    def test_session_before_the_assignment_began_is_refused(self) -> None:
        with refused(PermissionRefusedError, "coach_id", "on 2024-12-31"):
            log(log_command(held_on=date(2024, 12, 31)))

    def test_coach_of_another_practitioner_is_refused(self) -> None:
        history = [assignment(practitioner_id=OTHER_PRACTITIONER)]

        with refused(PermissionRefusedError, "coach_id"):
            log(log_command(), assignments=history)

    def test_practitioner_cannot_coach_themself(self) -> None:
        with refused(PermissionRefusedError, "coach_id", "with themself as coach"):
            log(log_command(coach_id=PRACTITIONER))
