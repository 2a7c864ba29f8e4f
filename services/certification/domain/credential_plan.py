"""Which credentials a round of published transitions issues or revokes (pure).

Credentials follow *publication*, never the fold: what agency apps are told is what a
credential says. An import window holds publication, so it holds credentials too, and
its close issues them for the net transitions only.

- A level announced as held (``certified`` or ``at_risk``) with no active credential
  gets one: a grant, a restoration or a reinstatement.
- A level announced as no longer held (``lapsed``, ``revoked``) has its active
  credential revoked on the status list. The Bitstring Status List's ``revocation``
  purpose is final, so a later reinstatement or requalification issues a new one.
- ``at_risk`` is **not** a suspension: the level is still held (an admin can revoke
  it, the coach works on it, it is certified in every answer the service gives), and
  at risk is an internal coaching signal an employer must not read as "not certified".
- A published event whose ``corrects`` lists the transition that issued the active
  credential (late evidence moved the grant) revokes it; if the level is still held a
  fresh credential states the corrected dates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

HELD = frozenset({"certified", "at_risk"})


@dataclass(frozen=True)
class PublishedTransition:
    """What a credential needs from a published ``certification_*`` event."""

    event_id: str
    level: str
    kind: str
    to_status: str
    effective_on: date
    true_effective_on: date
    corrects: tuple[str, ...] = ()


@dataclass(frozen=True)
class ActiveCredential:
    credential_id: str
    transition_event_id: str


@dataclass(frozen=True)
class IssueCredential:
    transition: PublishedTransition


@dataclass(frozen=True)
class RevokeCredential:
    credential_id: str | None  # None: the one issued for the level earlier in this round
    transition: PublishedTransition
    reason: str  # lapsed, revoked, corrected


CredentialAction = IssueCredential | RevokeCredential


def plan_credentials(
    published: Sequence[PublishedTransition], active: Mapping[str, ActiveCredential]
) -> list[CredentialAction]:
    """The issues and revocations that make the credentials match what was published."""
    current: dict[str, str | None] = {
        level: credential.transition_event_id for level, credential in active.items()
    }
    ids = {level: credential.credential_id for level, credential in active.items()}
    actions: list[CredentialAction] = []
    for transition in published:
        level = transition.level
        if level in ids and current.get(level) in transition.corrects:
            actions.append(RevokeCredential(ids.pop(level), transition, "corrected"))
            current.pop(level)
        if transition.to_status in HELD and level not in current:
            actions.append(IssueCredential(transition))
            current[level] = transition.event_id
        elif transition.to_status not in HELD and level in current:
            actions.append(RevokeCredential(ids.pop(level, None), transition, transition.kind))
            current.pop(level)
    return actions
