"""Learning culture records: peer-learning sessions and individual reflections.

Coaching is one-to-one; a learning culture is also practitioners learning from each
other (community-of-practice and peer sessions) and time set aside to reflect. These
records feed the agency culture indicators (``culture_indicators.py``). Neither needs
a coach assignment: any practitioner may facilitate a peer session or write a
reflection.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from services.coaching.domain.errors import InvalidFieldError
from services.coaching.domain.field_rules import (
    ensure_list,
    ensure_not_in_future,
    ensure_present,
)
from services.coaching.domain.vocabulary import Competency, parse_competency, parse_members


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordPeerSession:
    session_id: str
    facilitator_id: str
    participant_ids: Sequence[str]
    held_on: date
    shared: str  # what was shared: the practice, case or skill the group learned from
    competencies: Sequence[str] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class PeerLearningSession:
    session_id: str
    facilitator_id: str
    participant_ids: tuple[str, ...]  # without the facilitator, repeats dropped
    held_on: date
    shared: str
    competencies: tuple[Competency, ...] = ()

    @property
    def attendees(self) -> frozenset[str]:
        """Everyone who took part; the facilitator learns in the room too."""
        return frozenset((*self.participant_ids, self.facilitator_id))


@dataclass(frozen=True, slots=True, kw_only=True)
class WriteReflection:
    reflection_id: str
    practitioner_id: str
    written_on: date
    text: str
    competency: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Reflection:
    reflection_id: str
    practitioner_id: str
    written_on: date
    text: str
    competency: Competency | None = None


def record_peer_session(command: RecordPeerSession, *, today: date) -> PeerLearningSession:
    """Validate a peer-learning session.

    Competencies are optional (a community of practice may discuss the model as a
    whole) but must be known when given. At least one participant besides the
    facilitator is required: alone, it is a reflection, not peer learning.
    """
    session_id = ensure_present(command.session_id, field="session_id")
    facilitator_id = ensure_present(command.facilitator_id, field="facilitator_id")
    ensure_not_in_future(command.held_on, today=today, field="held_on")
    participants = tuple(
        dict.fromkeys(  # keep the order given, drop repeats
            ensure_present(p, field="participant_ids")
            for p in ensure_list(command.participant_ids, field="participant_ids")
        )
    )
    others = tuple(p for p in participants if p != facilitator_id)
    if not others:
        raise InvalidFieldError(
            "participant_ids",
            "a peer session needs at least one participant besides the facilitator; "
            "list who attended",
        )
    return PeerLearningSession(
        session_id=session_id,
        facilitator_id=facilitator_id,
        participant_ids=others,
        held_on=command.held_on,
        shared=ensure_present(command.shared, field="shared"),
        competencies=parse_members(
            command.competencies,
            Competency,
            field="competencies",
            what="competency",
            required=False,
        ),
    )


def record_reflection(command: WriteReflection, *, today: date) -> Reflection:
    """Validate a reflection entry; its competency is optional but must be known."""
    ensure_not_in_future(command.written_on, today=today, field="written_on")
    return Reflection(
        reflection_id=ensure_present(command.reflection_id, field="reflection_id"),
        practitioner_id=ensure_present(command.practitioner_id, field="practitioner_id"),
        written_on=command.written_on,
        text=ensure_present(command.text, field="text"),
        competency=(None if command.competency is None else parse_competency(command.competency)),
    )
