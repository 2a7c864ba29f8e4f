"""Coach assignments: one coach at a time, history kept, answered for any date."""

from __future__ import annotations

from datetime import date

from services.coaching.domain.assignments import (
    assign_coach,
    caseload,
    coach_on,
    end_assignment,
    hand_over,
    is_assigned,
)
from services.coaching.domain.errors import InvalidFieldError, StateConflictError
from tests.coaching.unit.coaching_builders import (
    COACH,
    OTHER_COACH,
    OTHER_PRACTITIONER,
    PRACTITIONER,
    assign_command,
    assignment,
    hand_over_command,
    refused,
)


class TestAssignmentHistoryOnDates:
    def test_coach_is_assigned_from_the_first_day_through_the_last_day(self) -> None:
        history = [assignment(valid_from=date(2025, 1, 1), valid_to=date(2025, 3, 31))]

        assert not is_assigned(history, COACH, PRACTITIONER, date(2024, 12, 31))
        assert is_assigned(history, COACH, PRACTITIONER, date(2025, 1, 1))
        assert is_assigned(history, COACH, PRACTITIONER, date(2025, 3, 31))
        assert not is_assigned(history, COACH, PRACTITIONER, date(2025, 4, 1))

    def test_open_ended_assignment_runs_on_indefinitely(self) -> None:
        history = [assignment(valid_from=date(2025, 1, 1))]

        assert is_assigned(history, COACH, PRACTITIONER, date(2030, 1, 1))

    def test_assignment_covers_only_its_own_pair(self) -> None:
        history = [assignment()]

        assert not is_assigned(history, OTHER_COACH, PRACTITIONER, date(2025, 2, 1))
        assert not is_assigned(history, COACH, OTHER_PRACTITIONER, date(2025, 2, 1))

    def test_after_reassignment_each_date_answers_with_the_coach_of_that_day(self) -> None:
        history = [
            assignment(coach_id=COACH, valid_from=date(2025, 1, 1), valid_to=date(2025, 3, 31)),
            assignment(coach_id=OTHER_COACH, valid_from=date(2025, 4, 1)),
        ]

        assert coach_on(history, PRACTITIONER, date(2025, 3, 31)) == COACH
        assert coach_on(history, PRACTITIONER, date(2025, 4, 1)) == OTHER_COACH
        assert coach_on(history, PRACTITIONER, date(2024, 12, 31)) is None
        # The old coach stays assigned for past dates: their past sessions stay valid.
        assert is_assigned(history, COACH, PRACTITIONER, date(2025, 2, 14))
        assert not is_assigned(history, COACH, PRACTITIONER, date(2025, 4, 2))

    def test_caseload_lists_the_practitioners_of_a_coach_on_a_date(self) -> None:
        history = [
            assignment(practitioner_id=PRACTITIONER, valid_to=date(2025, 3, 31)),
            assignment(practitioner_id=OTHER_PRACTITIONER, valid_from=date(2025, 2, 1)),
        ]

        assert caseload(history, COACH, date(2025, 1, 15)) == {PRACTITIONER}
        assert caseload(history, COACH, date(2025, 3, 1)) == {PRACTITIONER, OTHER_PRACTITIONER}
        assert caseload(history, COACH, date(2025, 4, 1)) == {OTHER_PRACTITIONER}


class TestAssigningACoach:
    def test_a_new_coach_may_start_the_day_after_the_previous_one_ended(self) -> None:
        history = [assignment(valid_to=date(2025, 6, 30))]

        new = assign_coach(history, assign_command(valid_from=date(2025, 7, 1)))

        assert (new.coach_id, new.valid_from, new.valid_to) == (OTHER_COACH, date(2025, 7, 1), None)

    def test_a_coach_cannot_be_assigned_to_themself(self) -> None:
        with refused(InvalidFieldError, "coach_id", "own coach"):
            assign_coach([], assign_command(coach_id=PRACTITIONER))

    def test_end_before_start_is_refused(self) -> None:
        command = assign_command(valid_from=date(2025, 7, 1), valid_to=date(2025, 6, 30))

        with refused(InvalidFieldError, "valid_to", "before valid_from 2025-07-01"):
            assign_coach([], command)

    def test_blank_coach_id_is_refused(self) -> None:
        with refused(InvalidFieldError, "coach_id", "empty"):
            assign_coach([], assign_command(coach_id="  "))

    def test_overlapping_period_for_the_same_pair_is_refused(self) -> None:
        history = [assignment(coach_id=OTHER_COACH, valid_from=date(2025, 1, 1))]

        with refused(StateConflictError, "valid_from", "already assigned", "must not overlap"):
            assign_coach(history, assign_command(valid_from=date(2025, 7, 1)))

    def test_second_coach_while_the_first_still_runs_is_refused_with_the_fix(self) -> None:
        history = [assignment(coach_id=COACH, valid_from=date(2025, 1, 1), assignment_id="asg-1")]

        with refused(
            StateConflictError,
            "valid_from",
            f"already has coach {COACH}",
            "end assignment asg-1 on or before 2025-06-30",
        ):
            assign_coach(history, assign_command(valid_from=date(2025, 7, 1)))

    def test_backdated_period_running_into_a_later_assignment_blames_valid_to(self) -> None:
        history = [assignment(valid_from=date(2025, 1, 1))]
        command = assign_command(valid_from=date(2024, 6, 1), valid_to=date(2025, 1, 1))

        with refused(StateConflictError, "valid_to", "do not overlap"):
            assign_coach(history, command)

    def test_another_practitioners_assignment_is_no_conflict(self) -> None:
        history = [assignment(practitioner_id=OTHER_PRACTITIONER, coach_id=OTHER_COACH)]

        new = assign_coach(history, assign_command(valid_from=date(2025, 1, 1)))

        assert new.practitioner_id == PRACTITIONER

    def test_reused_assignment_id_is_refused(self) -> None:
        history = [assignment(practitioner_id=OTHER_PRACTITIONER, assignment_id="asg-new")]

        with refused(StateConflictError, "assignment_id", "already exists"):
            assign_coach(history, assign_command(assignment_id="asg-new"))


class TestEndingAnAssignment:
    def test_ending_sets_the_last_day(self) -> None:
        ended = end_assignment(assignment(valid_from=date(2025, 1, 1)), valid_to=date(2025, 1, 1))

        assert ended.valid_to == date(2025, 1, 1)

    def test_ending_before_it_started_is_refused(self) -> None:
        with refused(InvalidFieldError, "valid_to", "before the assignment started"):
            end_assignment(assignment(valid_from=date(2025, 1, 1)), valid_to=date(2024, 12, 31))

    def test_ending_twice_is_refused(self) -> None:
        with refused(StateConflictError, "valid_to", "already ended on 2025-03-31"):
            end_assignment(assignment(valid_to=date(2025, 3, 31)), valid_to=date(2025, 4, 30))


class TestHandingOver:
    def test_hand_over_ends_the_current_coach_the_day_before(self) -> None:
        history = [assignment(coach_id=COACH, valid_from=date(2025, 1, 1))]

        ended, new = hand_over(history, hand_over_command())

        assert (ended.coach_id, ended.valid_to) == (COACH, date(2025, 6, 30))
        assert (new.coach_id, new.valid_from, new.valid_to) == (OTHER_COACH, date(2025, 7, 1), None)
        assert coach_on([ended, new], PRACTITIONER, date(2025, 6, 30)) == COACH
        assert coach_on([ended, new], PRACTITIONER, date(2025, 7, 1)) == OTHER_COACH

    def test_hand_over_without_a_current_coach_is_refused(self) -> None:
        history = [assignment(valid_to=date(2025, 3, 31))]

        with refused(StateConflictError, "starts_on", "nothing to hand over"):
            hand_over(history, hand_over_command())

    def test_hand_over_to_the_same_coach_is_refused(self) -> None:
        with refused(StateConflictError, "new_coach_id", "already the coach"):
            hand_over([assignment(coach_id=COACH)], hand_over_command(new_coach_id=COACH))

    def test_hand_over_on_the_first_day_of_the_current_assignment_is_refused(self) -> None:
        history = [assignment(valid_from=date(2025, 7, 1))]

        with refused(StateConflictError, "starts_on", "pick a later starts_on"):
            hand_over(history, hand_over_command())

    def test_hand_over_clashing_with_a_planned_assignment_names_starts_on(self) -> None:
        history = [
            assignment(coach_id=COACH, valid_to=date(2025, 8, 31)),
            assignment(coach_id="coach-cy", valid_from=date(2025, 9, 1)),
        ]

        with refused(StateConflictError, "starts_on", "coach-cy"):
            hand_over(history, hand_over_command())

    def test_hand_over_to_the_practitioner_themself_is_refused(self) -> None:
        with refused(InvalidFieldError, "new_coach_id", "own coach"):
            hand_over([assignment()], hand_over_command(new_coach_id=PRACTITIONER))
