"""Learning-culture records: peer-learning sessions and reflections."""

from __future__ import annotations

from datetime import date
from typing import Any

from services.coaching.domain.culture import (
    RecordPeerSession,
    WriteReflection,
    record_peer_session,
    record_reflection,
)
from services.coaching.domain.errors import InvalidFieldError
from services.coaching.domain.vocabulary import Competency
from tests.coaching.unit.coaching_builders import (
    OTHER_PRACTITIONER,
    PRACTITIONER,
    TODAY,
    refused,
)


def peer_command(**overrides: Any) -> RecordPeerSession:
    fields: dict[str, Any] = {
        "session_id": "peer-1",
        "facilitator_id": PRACTITIONER,
        "participant_ids": [OTHER_PRACTITIONER, "prac-ray"],
        "held_on": date(2025, 6, 12),
        "shared": "Reframing a family's deficit language into strengths",
        "competencies": ["STR"],
    }
    return RecordPeerSession(**(fields | overrides))


def reflection_command(**overrides: Any) -> WriteReflection:
    fields: dict[str, Any] = {
        "reflection_id": "refl-1",
        "practitioner_id": PRACTITIONER,
        "written_on": date(2025, 6, 12),
        "text": "I spoke before the youth did; next time I wait.",
        "competency": None,
    }
    return WriteReflection(**(fields | overrides))


class TestPeerSessions:
    def test_facilitator_counts_as_attending_but_not_as_a_participant(self) -> None:
        command = peer_command(
            participant_ids=[PRACTITIONER, OTHER_PRACTITIONER, OTHER_PRACTITIONER]
        )

        session = record_peer_session(command, today=TODAY)

        assert session.participant_ids == (OTHER_PRACTITIONER,)
        assert session.attendees == {PRACTITIONER, OTHER_PRACTITIONER}
        assert session.competencies == (Competency.STR,)

    def test_competencies_are_optional(self) -> None:
        assert record_peer_session(peer_command(competencies=[]), today=TODAY).competencies == ()

    def test_facilitator_alone_is_no_peer_session(self) -> None:
        with refused(InvalidFieldError, "participant_ids", "besides the facilitator"):
            record_peer_session(peer_command(participant_ids=[PRACTITIONER]), today=TODAY)

    def test_blank_participant_id_is_refused(self) -> None:
        with refused(InvalidFieldError, "participant_ids", "empty"):
            record_peer_session(peer_command(participant_ids=[OTHER_PRACTITIONER, ""]), today=TODAY)

    def test_future_date_is_refused(self) -> None:
        with refused(InvalidFieldError, "held_on", "in the future"):
            record_peer_session(peer_command(held_on=date(2025, 7, 1)), today=TODAY)

    def test_unknown_competency_is_refused(self) -> None:
        with refused(InvalidFieldError, "competencies", "'PEER'"):
            record_peer_session(peer_command(competencies=["PEER"]), today=TODAY)

    def test_what_was_shared_is_required(self) -> None:
        with refused(InvalidFieldError, "shared", "empty"):
            record_peer_session(peer_command(shared="   "), today=TODAY)


class TestReflections:
    def test_reflection_may_name_a_competency(self) -> None:
        entry = record_reflection(reflection_command(competency="ENG"), today=TODAY)

        assert entry.competency is Competency.ENG

    def test_reflection_without_competency_is_accepted(self) -> None:
        assert record_reflection(reflection_command(), today=TODAY).competency is None

    def test_unknown_competency_is_refused(self) -> None:
        with refused(InvalidFieldError, "competency", "'SELF'"):
            record_reflection(reflection_command(competency="SELF"), today=TODAY)

    def test_future_date_is_refused(self) -> None:
        with refused(InvalidFieldError, "written_on", "2025-06-16 is in the future"):
            record_reflection(reflection_command(written_on=date(2025, 6, 16)), today=TODAY)

    def test_empty_text_is_refused(self) -> None:
        with refused(InvalidFieldError, "text", "empty"):
            record_reflection(reflection_command(text=""), today=TODAY)
