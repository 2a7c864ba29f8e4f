"""Status changes of a certification level, and which of them are news to subscribers.

``evaluate`` replays the whole timeline every time, so it returns the full transition
history. The service keeps the history it last published and emits only what
``new_transitions`` returns. A transition is identified by level, kind, date and the
statuses it connects; its reasons may gain detail without making it new.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class CertificationStatus(StrEnum):
    NOT_STARTED = "not_started"  # no evidence any requirement rests on
    IN_PROGRESS = "in_progress"  # some evidence, not yet every requirement met
    CERTIFIED = "certified"
    AT_RISK = "at_risk"  # still certified; a maintenance at-risk rule fires
    LAPSED = "lapsed"  # must requalify under the initial rules
    REVOKED = "revoked"  # by an agency admin only


HELD = frozenset({CertificationStatus.CERTIFIED, CertificationStatus.AT_RISK})


class TransitionKind(StrEnum):
    GRANTED = "granted"
    AT_RISK = "at_risk"
    RESTORED = "restored"
    LAPSED = "lapsed"
    REVOKED = "revoked"
    REINSTATED = "reinstated"


TransitionKey = tuple[str, TransitionKind, date, CertificationStatus, CertificationStatus]


class Transition(BaseModel):
    """A level changed status on practice date ``on``, for ``reasons`` resting on evidence."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    level_key: str
    kind: TransitionKind
    on: date
    from_status: CertificationStatus
    to_status: CertificationStatus
    reasons: tuple[str, ...] = ()
    evidence_ids: tuple[str, ...] = ()

    @property
    def key(self) -> TransitionKey:
        return (self.level_key, self.kind, self.on, self.from_status, self.to_status)


def new_transitions(
    previous: Sequence[Transition], current: Sequence[Transition]
) -> list[Transition]:
    """The transitions of ``current`` not in ``previous``, in ``current``'s order.

    Normally the tail that time or new evidence added. Late evidence dated in the
    past can also insert an earlier transition or move one (then the old one shows
    up in ``retracted_transitions``).
    """
    published = {t.key for t in previous}
    return [t for t in current if t.key not in published]


def retracted_transitions(
    previous: Sequence[Transition], current: Sequence[Transition]
) -> list[Transition]:
    """The transitions of ``previous`` that late evidence has written out of history.

    Example: "at risk on 2026-08-29 for no observation in 270 days" is retracted when
    an observation dated 2026-08-20 arrives a week late. A service that has published
    the retracted transition owes subscribers a correction.
    """
    still_true = {t.key for t in current}
    return [t for t in previous if t.key not in still_true]
