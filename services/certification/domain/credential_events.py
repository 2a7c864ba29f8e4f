"""Events of portable credentials, published on the certification stream for agency apps.

``credential_issued`` carries the signed credential (``jwt``, a VC-JOSE compact JWS) so
an app can hand it on; ``credential_status_changed`` says a credential's bit on the
agency's status list was set (``status: revoked``; the list's purpose is revocation,
which is final). Stream ``credential/<agency>/<practitioner>``; CloudEvent ``subject``
the practitioner, ``time`` the effective date of the transition behind it.
"""

from __future__ import annotations

from datetime import date

from shared.events import DomainEvent


class CredentialIssued(DomainEvent):
    credential_id: str  # a uuid; the credential's ``id`` is ``credential_url``
    credential_url: str
    practitioner_id: str
    level: str
    level_title: str
    policy_id: str
    policy_version: int
    valid_from: date
    valid_until: date | None
    status_list_url: str
    status_index: int
    key_id: str  # the verification method (did:web…#kid) that signed it
    transition_event_id: str  # the published certification_* event it follows
    jwt: str


class CredentialStatusChanged(DomainEvent):
    credential_id: str
    practitioner_id: str
    level: str
    status: str  # revoked
    reason: str  # lapsed, revoked (by an admin) or corrected (late evidence moved the grant)
    effective_on: date
    status_list_url: str
    status_index: int
    transition_event_id: str


CREDENTIAL_EVENTS: tuple[type[DomainEvent], ...] = (CredentialIssued, CredentialStatusChanged)
CREDENTIAL_EVENT_NAMES = frozenset(cls.name for cls in CREDENTIAL_EVENTS)
