"""Skill ratings: a competency placed on the developmental scale, resting on evidence.

A rating is given by a rater about a practitioner, for one competency, on a practice
date, and points at its source: a coaching session of this service or a fidelity
observation (owned by the fidelity service, so only its id is kept here). Who may rate
is checked on the rating date: the coach assigned then, or anyone holding the
supervisor role — but never the practitioner about themself.

``current_levels`` reads the standing level per competency: the latest rating by
practice date, ties broken by when it was recorded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from services.coaching.domain.assignments import CoachAssignment, is_assigned
from services.coaching.domain.errors import InvalidFieldError, PermissionRefusedError
from services.coaching.domain.field_rules import ensure_not_in_future, ensure_present
from services.coaching.domain.sessions import CoachingSession
from services.coaching.domain.vocabulary import (
    Competency,
    SkillLevel,
    SourceKind,
    parse_competency,
    parse_skill_level,
    parse_source_kind,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class RatingSource:
    kind: SourceKind
    source_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordRating:
    rating_id: str
    practitioner_id: str
    rater_id: str
    competency: str
    level: str
    rated_on: date
    source_kind: str
    source_id: str
    note: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class SkillRating:
    rating_id: str
    practitioner_id: str
    rater_id: str
    competency: Competency
    level: SkillLevel
    rated_on: date  # practice date: every rule and "current level" uses this
    recorded_at: datetime  # when the system took it; breaks ties on the same practice date
    source: RatingSource
    note: str = ""


def record_rating(
    command: RecordRating,
    *,
    today: date,
    recorded_at: datetime,
    assignments: Iterable[CoachAssignment],
    rater_is_supervisor: bool,
    source_session: CoachingSession | None = None,
) -> SkillRating:
    """Validate ``command`` and return the rating it records.

    ``recorded_at`` is the server's timezone-aware clock reading. ``source_session`` is
    the session named by ``source_id`` when ``source_kind`` is ``session`` (None when
    it does not exist); observations are not looked up here.
    """
    if recorded_at.tzinfo is None:
        raise ValueError("recorded_at must be timezone-aware")  # a wiring bug, not bad input
    rating_id = ensure_present(command.rating_id, field="rating_id")
    practitioner_id = ensure_present(command.practitioner_id, field="practitioner_id")
    rater_id = ensure_present(command.rater_id, field="rater_id")
    competency = parse_competency(command.competency)
    level = parse_skill_level(command.level)
    ensure_not_in_future(command.rated_on, today=today, field="rated_on")
    source = RatingSource(
        kind=parse_source_kind(command.source_kind),
        source_id=ensure_present(command.source_id, field="source_id"),
    )
    if source.kind is SourceKind.SESSION:
        _ensure_session_source(source.source_id, practitioner_id, command.rated_on, source_session)
    if rater_id == practitioner_id:
        raise PermissionRefusedError(
            "rater_id",
            f"{rater_id} cannot rate their own skills; a rating must come from their coach "
            "or a supervisor",
        )
    if not rater_is_supervisor and not is_assigned(
        assignments, rater_id, practitioner_id, command.rated_on
    ):
        raise PermissionRefusedError(
            "rater_id",
            f"{rater_id} was not the assigned coach of {practitioner_id} on "
            f"{command.rated_on.isoformat()} and does not hold the supervisor role; "
            "the rating must come from the coach assigned on that date or a supervisor",
        )
    return SkillRating(
        rating_id=rating_id,
        practitioner_id=practitioner_id,
        rater_id=rater_id,
        competency=competency,
        level=level,
        rated_on=command.rated_on,
        recorded_at=recorded_at,
        source=source,
        note=command.note.strip(),
    )


def current_levels(
    ratings: Iterable[SkillRating], *, practitioner_id: str, as_of: date | None = None
) -> dict[Competency, SkillRating]:
    """The rating that stands for each rated competency of ``practitioner_id``.

    The latest by practice date wins; on the same practice date the later recorded one
    wins (a correction entered afterwards), and ``rating_id`` settles exact ties so the
    answer never depends on the order ratings are passed in. With ``as_of``, ratings
    dated after it are ignored ("what was their level then?"). Competencies never rated
    are absent from the result.
    """
    standing: dict[Competency, SkillRating] = {}
    for rating in ratings:
        if rating.practitioner_id != practitioner_id:
            continue
        if as_of is not None and rating.rated_on > as_of:
            continue
        held = standing.get(rating.competency)
        if held is None or _recency(rating) > _recency(held):
            standing[rating.competency] = rating
    return standing


def _recency(rating: SkillRating) -> tuple[date, datetime, str]:
    return rating.rated_on, rating.recorded_at, rating.rating_id


def _ensure_session_source(
    source_id: str, practitioner_id: str, rated_on: date, session: CoachingSession | None
) -> None:
    if session is None or session.session_id != source_id:
        raise InvalidFieldError(
            "source_id",
            f"coaching session {source_id} is not recorded; name an existing session "
            "(or use source_kind observation for a fidelity observation)",
        )
    if session.practitioner_id != practitioner_id:
        raise InvalidFieldError(
            "source_id",
            f"session {source_id} was with {session.practitioner_id}, not {practitioner_id}; "
            "rate a practitioner on one of their own sessions",
        )
    # A rating cannot rest on a session that had not happened yet.
    if rated_on < session.held_on:
        raise InvalidFieldError(
            "rated_on",
            f"rated_on {rated_on.isoformat()} is before session {source_id} was held "
            f"({session.held_on.isoformat()}); date the rating on or after the session",
        )
