"""The record-level access rules: own records, acting as someone, reflection text."""

from __future__ import annotations

from datetime import date

import pytest

from services.coaching.domain.assignments import CoachAssignment
from services.coaching.permissions import (
    acting_as,
    ensure_may_coach,
    may_read_reflection_text,
    practitioner_filter,
)
from shared.auth import Principal, Role
from shared.idempotency import fingerprint
from shared.problems import Forbidden
from tests.coaching.unit.coaching_builders import (
    COACH,
    OTHER_COACH,
    OTHER_PRACTITIONER,
    PRACTITIONER,
    assignment,
    log_command,
)


def principal(subject: str, *roles: Role) -> Principal:
    return Principal(subject=subject, agency_id="agency-a", roles=frozenset(roles))


PAT = principal(PRACTITIONER, Role.PRACTITIONER)
ANA = principal(COACH, Role.COACH)
ADMIN = principal("admin-ada", Role.ADMIN)


class TestOwnRecords:
    def test_a_practitioner_list_is_narrowed_to_themself(self) -> None:
        assert practitioner_filter(PAT, None) == PRACTITIONER
        assert practitioner_filter(PAT, PRACTITIONER) == PRACTITIONER

    def test_a_practitioner_asking_for_someone_else_is_forbidden(self) -> None:
        with pytest.raises(Forbidden, match="only their own records"):
            practitioner_filter(PAT, OTHER_PRACTITIONER)

    def test_staff_lists_are_not_narrowed(self) -> None:
        assert practitioner_filter(ANA, None) is None
        assert practitioner_filter(principal("aud", Role.AUDITOR), PRACTITIONER) == PRACTITIONER


class TestActingAs:
    def test_the_caller_acts_as_themself_when_the_body_names_nobody_or_them(self) -> None:
        assert acting_as(ANA, None, field="coach_id") == COACH
        assert acting_as(ANA, COACH, field="coach_id") == COACH

    def test_only_an_admin_acts_on_someone_elses_behalf(self) -> None:
        assert acting_as(ADMIN, COACH, field="coach_id") == COACH
        supervisor = principal("sup", Role.SUPERVISOR, Role.COACH)
        with pytest.raises(Forbidden, match="coach_id must be you"):
            acting_as(supervisor, COACH, field="coach_id")


class TestChangingPlans:
    def test_a_coach_changes_plans_of_their_caseload_only(self) -> None:
        history = [assignment(valid_from=date(2025, 1, 1))]
        ensure_may_coach(ANA, history, PRACTITIONER, date(2025, 6, 1))
        with pytest.raises(Forbidden, match="is not the coach"):
            ensure_may_coach(ANA, history, OTHER_PRACTITIONER, date(2025, 6, 1))

    def test_managers_change_any_plan(self) -> None:
        ensure_may_coach(principal("sup", Role.SUPERVISOR), [], PRACTITIONER, date(2025, 6, 1))


class TestReflectionText:
    WRITTEN = date(2025, 3, 1)

    def readable_by(
        self, reader: Principal, coach_history: list[CoachAssignment], today: date
    ) -> bool:
        return may_read_reflection_text(
            reader,
            author_id=PRACTITIONER,
            written_on=self.WRITTEN,
            coach_assignments=coach_history,
            today=today,
        )

    def test_the_author_and_admins_read_it(self) -> None:
        assert self.readable_by(PAT, [], date(2025, 6, 1))
        assert self.readable_by(ADMIN, [], date(2025, 6, 1))

    def test_the_coach_on_the_day_written_or_today_reads_it(self) -> None:
        then = [assignment(valid_from=date(2025, 1, 1), valid_to=date(2025, 3, 31))]
        now = [assignment(coach_id=OTHER_COACH, valid_from=date(2025, 4, 1))]
        assert self.readable_by(ANA, then, date(2025, 6, 1))
        assert self.readable_by(principal(OTHER_COACH, Role.COACH), now, date(2025, 6, 1))

    def test_anyone_else_does_not(self) -> None:
        supervisor = principal("sup", Role.SUPERVISOR, Role.AUDITOR)
        assert not self.readable_by(supervisor, [], date(2025, 6, 1))
        assert not self.readable_by(ANA, [], date(2025, 6, 1))


def test_a_fingerprint_changes_with_the_content_and_only_with_it() -> None:
    assert fingerprint(log_command()) == fingerprint(log_command())
    assert fingerprint(log_command()) != fingerprint(log_command(duration_minutes=61))
