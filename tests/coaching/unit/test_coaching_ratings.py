"""Skill ratings: who may rate, on what evidence, and which rating stands."""

from __future__ import annotations

import random
from datetime import date, datetime

import pytest

from services.coaching.domain.errors import InvalidFieldError, PermissionRefusedError
from services.coaching.domain.ratings import (
    RecordRating,
    SkillRating,
    current_levels,
    record_rating,
)
from services.coaching.domain.sessions import CoachingSession
from services.coaching.domain.vocabulary import Competency, SkillLevel, SourceKind
from tests.coaching.unit.coaching_builders import (
    COACH,
    OTHER_COACH,
    OTHER_PRACTITIONER,
    PRACTITIONER,
    SUPERVISOR,
    TODAY,
    assignment,
    coaching_session,
    rating,
    rating_command,
    recorded,
    refused,
)

COACH_UNTIL_MAY = [
    assignment(coach_id=COACH, valid_from=date(2025, 1, 1), valid_to=date(2025, 5, 31))
]
SESSION_ON_MAY_20 = coaching_session(PRACTITIONER, date(2025, 5, 20), session_id="ses-may")


def record(
    command: RecordRating,
    *,
    supervisor: bool = False,
    source_session: CoachingSession | None = SESSION_ON_MAY_20,
    recorded_at: datetime | None = None,
) -> SkillRating:
    return record_rating(
        command,
        today=TODAY,
        recorded_at=recorded_at or recorded(15),
        assignments=COACH_UNTIL_MAY,
        rater_is_supervisor=supervisor,
        source_session=source_session,
    )


def may_rating(**overrides: object) -> RecordRating:
    """A rating by the coach on 2025-05-25, resting on the 2025-05-20 session."""
    fields: dict[str, object] = {"rated_on": date(2025, 5, 25), "source_id": "ses-may"}
    return rating_command(**(fields | overrides))


class TestWhoMayRate:
    def test_assigned_coach_rates_on_a_date_within_the_assignment(self) -> None:
        # The assignment ended on 2025-05-31; the rating date is what counts, not today.
        new = record(may_rating())

        assert (new.competency, new.level) == (Competency.FAC, SkillLevel.INDEPENDENT)
        assert (new.source.kind, new.source.source_id) == (SourceKind.SESSION, "ses-may")

    def test_coach_no_longer_assigned_on_the_rating_date_is_refused(self) -> None:
        with refused(PermissionRefusedError, "rater_id", "on 2025-06-01", "supervisor"):
            record(may_rating(rated_on=date(2025, 6, 1)))

    def test_unassigned_rater_without_supervisor_role_is_refused(self) -> None:
        with refused(PermissionRefusedError, "rater_id", f"{OTHER_COACH} was not the assigned"):
            record(may_rating(rater_id=OTHER_COACH))

    def test_supervisor_may_rate_without_an_assignment(self) -> None:
        new = record(may_rating(rater_id=SUPERVISOR), supervisor=True)

        assert new.rater_id == SUPERVISOR

    def test_nobody_rates_themself_not_even_a_supervisor(self) -> None:
        with refused(PermissionRefusedError, "rater_id", "cannot rate their own skills"):
            record(may_rating(rater_id=PRACTITIONER), supervisor=True)


class TestRatingFields:
    def test_future_rating_date_is_refused(self) -> None:
        with refused(InvalidFieldError, "rated_on", "in the future"):
            record(may_rating(rated_on=date(2025, 6, 16)))

    def test_unknown_level_is_refused(self) -> None:
        with refused(InvalidFieldError, "level", "'proficient'", "with_support"):
            record(may_rating(level="proficient"))

    def test_unknown_competency_is_refused(self) -> None:
        with refused(InvalidFieldError, "competency", "'CARE'"):
            record(may_rating(competency="CARE"))

    def test_naive_recording_time_is_a_wiring_bug(self) -> None:
        with pytest.raises(ValueError, match="timezone-aware"):
            record(may_rating(), recorded_at=datetime(2025, 6, 15, 12))


class TestRatingSource:
    def test_session_of_another_practitioner_is_refused(self) -> None:
        others = coaching_session(OTHER_PRACTITIONER, date(2025, 5, 20), session_id="ses-may")

        with refused(InvalidFieldError, "source_id", f"was with {OTHER_PRACTITIONER}"):
            record(may_rating(), source_session=others)

    def test_unrecorded_session_is_refused(self) -> None:
        with refused(InvalidFieldError, "source_id", "ses-may is not recorded"):
            record(may_rating(), source_session=None)

    def test_session_other_than_the_one_named_is_refused(self) -> None:
        with refused(InvalidFieldError, "source_id", "ses-april is not recorded"):
            record(may_rating(source_id="ses-april"))

    def test_rating_dated_before_its_session_is_refused(self) -> None:
        with refused(InvalidFieldError, "rated_on", "before session ses-may was held"):
            record(may_rating(rated_on=date(2025, 5, 19)))

    def test_observation_source_needs_no_session(self) -> None:
        new = record(may_rating(source_kind="observation", source_id="obs-77"), source_session=None)

        assert (new.source.kind, new.source.source_id) == (SourceKind.OBSERVATION, "obs-77")

    def test_unknown_source_kind_is_refused(self) -> None:
        with refused(InvalidFieldError, "source_kind", "'survey'", "session, observation"):
            record(may_rating(source_kind="survey"))

    def test_blank_source_id_is_refused(self) -> None:
        with refused(InvalidFieldError, "source_id", "empty"):
            record(may_rating(source_kind="observation", source_id=" "), source_session=None)


class TestCurrentLevels:
    def test_latest_practice_date_wins_even_when_recorded_earlier(self) -> None:
        # An import recorded on 14 June brings an old (March) rating; the May one stands.
        may = rating(
            "may", level=SkillLevel.INDEPENDENT, rated_on=date(2025, 5, 2), recorded_at=recorded(1)
        )
        imported = rating(
            "import", level=SkillLevel.NOT_YET, rated_on=date(2025, 3, 2), recorded_at=recorded(14)
        )

        levels = current_levels([may, imported], practitioner_id=PRACTITIONER)

        assert levels[Competency.FAC].rating_id == "may"

    def test_same_practice_date_is_settled_by_recording_order(self) -> None:
        first = rating(
            "first",
            level=SkillLevel.WITH_SUPPORT,
            rated_on=date(2025, 5, 2),
            recorded_at=recorded(2, 9),
        )
        correction = rating(
            "correction",
            level=SkillLevel.INDEPENDENT,
            rated_on=date(2025, 5, 2),
            recorded_at=recorded(2, 17),
        )

        levels = current_levels([correction, first], practitioner_id=PRACTITIONER)

        assert levels[Competency.FAC].level is SkillLevel.INDEPENDENT

    def test_answer_does_not_depend_on_the_order_ratings_arrive_in(self) -> None:
        ratings = [
            rating(
                f"r{i}", level=level, rated_on=date(2025, 5, 1 + i % 3), recorded_at=recorded(1 + i)
            )
            for i, level in enumerate([*SkillLevel, *SkillLevel])
        ]
        expected = current_levels(ratings, practitioner_id=PRACTITIONER)

        for seed in range(5):
            shuffled = ratings[:]
            random.Random(seed).shuffle(shuffled)
            assert current_levels(shuffled, practitioner_id=PRACTITIONER) == expected

    def test_each_competency_keeps_its_own_level_and_unrated_ones_are_absent(self) -> None:
        levels = current_levels(
            [
                rating("fac", level=SkillLevel.CAN_TEACH, rated_on=date(2025, 4, 1)),
                rating(
                    "eng",
                    level=SkillLevel.WITH_SUPPORT,
                    rated_on=date(2025, 5, 1),
                    competency=Competency.ENG,
                ),
            ],
            practitioner_id=PRACTITIONER,
        )

        assert {c: r.level for c, r in levels.items()} == {
            Competency.FAC: SkillLevel.CAN_TEACH,
            Competency.ENG: SkillLevel.WITH_SUPPORT,
        }

    def test_as_of_ignores_later_ratings(self) -> None:
        ratings = [
            rating("april", level=SkillLevel.WITH_SUPPORT, rated_on=date(2025, 4, 1)),
            rating("june", level=SkillLevel.INDEPENDENT, rated_on=date(2025, 6, 1)),
        ]

        levels = current_levels(ratings, practitioner_id=PRACTITIONER, as_of=date(2025, 5, 31))

        assert levels[Competency.FAC].rating_id == "april"

    def test_other_practitioners_ratings_are_ignored(self) -> None:
        others = rating(
            "x",
            level=SkillLevel.CAN_TEACH,
            rated_on=date(2025, 4, 1),
            practitioner_id=OTHER_PRACTITIONER,
        )

        assert current_levels([others], practitioner_id=PRACTITIONER) == {}
