"""The certification service's events: past-tense facts, payloads as in docs/events.md.

Published (CloudEvents on ``miiwrap.certification.<agency>.<event>``): the roster's
lifecycle (``practitioner_registered``, ``practitioner_details_changed``,
``practitioner_left``, ``practitioner_returned``; CloudEvent ``time`` = the effective
date) and the six transition events. Internal (kept in the
log, never published — the relay skips them): ``evidence_received`` (every piece of
evidence, whatever its source, so the evidence projection is rebuilt from
certification's own log), ``evidence_retracted`` (evidence a source took back),
``observer_calibration_received`` (a fidelity calibration, decided on at evaluation),
``policy_version_created``, ``policy_adopted``, ``transitions_retracted``, and the
import window's ``import_window_opened``, ``import_window_closed`` and
``transition_settled``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict

from services.certification.domain.credential_events import CREDENTIAL_EVENTS
from services.certification.domain.state import RequirementResult, RuleResult
from shared.events import DomainEvent, EventRegistry


class PractitionerRegistered(DomainEvent):
    practitioner_id: str
    role: str
    program_start: date
    coach_id: str | None
    supervisor_id: str | None
    team_id: str | None = None  # a named team; absent in events before teams existed


class PractitionerDetailsChanged(DomainEvent):
    """The full roster details from ``effective_on`` on; ``changed`` names what moved."""

    practitioner_id: str
    effective_on: date
    changed: list[str]
    role: str
    coach_id: str | None
    supervisor_id: str | None
    team_id: str | None
    program_start: date


class PractitionerLeft(DomainEvent):
    practitioner_id: str
    effective_on: date
    reason: str | None


class PractitionerReturned(DomainEvent):
    practitioner_id: str
    effective_on: date


ROSTER_EVENT_NAMES = frozenset(
    cls.name
    for cls in (
        PractitionerRegistered,
        PractitionerDetailsChanged,
        PractitionerLeft,
        PractitionerReturned,
    )
)


class EvidenceReceived(DomainEvent):
    """One evidence item (``item``: the evidence JSON, keyed by its source event id)."""

    practitioner_id: str
    source: str  # learning, coaching, fidelity or certification
    source_type: str  # the CloudEvent type it came from
    item: dict[str, Any]


class ObserverCalibrationReceived(DomainEvent):
    """A passed calibration from fidelity's ``observer_calibrated``: ``observer_id`` rates
    ``instrument_key`` (every version) to standard on [``valid_from``, ``valid_until``)."""

    attempt_id: str
    observer_id: str
    instrument_key: str
    valid_from: date
    valid_until: date
    source_event_id: str


class EvidenceRetracted(DomainEvent):
    """Evidence items (keyed by their source event ids) that no longer count: the source
    service retracted the events they came from (learning's ``evidence_retracted``, when
    the xAPI Statement behind them was voided). The evidence projection drops them, and
    an item retracted before it arrived is never taken in."""

    practitioner_id: str
    source: str
    source_type: str  # the CloudEvent type of the retraction
    retraction_id: str  # the source's retraction event id
    event_ids: list[str]


class PolicyVersionCreated(DomainEvent):
    policy_id: str
    policy_version: int
    policy: dict[str, Any]


class PolicyAdopted(DomainEvent):
    policy_id: str
    policy_version: int
    adopted_on: date


class TransitionsRetracted(DomainEvent):
    """Published transitions late evidence wrote out of history, with no event needed."""

    practitioner_id: str
    event_ids: list[str]


class ImportWindowOpened(DomainEvent):
    """An import of the agency began: evaluations go on, transition events are held."""

    window_id: str
    label: str | None
    content_hash: str  # what the open asked for, so a retry with other content is refused


class ImportWindowClosed(DomainEvent):
    """The import ended: the net transitions of the practitioners it held were published."""

    window_id: str
    practitioners_held: int
    transitions_published: int


class TransitionSettled(DomainEvent):
    """A fold transition an import window's close accounted for without publishing it
    (an excursion inside the window, or history before the status apps were told)."""

    practitioner_id: str
    window_id: str
    level: str
    kind: str
    effective_on: date
    from_status: str
    to_status: str
    policy_id: str
    policy_version: int
    reasons: list[str]
    evidence_ids: list[str]


class Explanation(BaseModel):
    """Why a transition happened: its reasons, and the level's rules judged on that day."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    reasons: list[str]
    evidence_ids: list[str]
    requirements: list[RequirementResult]
    maintenance: list[RuleResult]


class CertificationTransitioned(DomainEvent):
    """Base of the six transition events (never appended itself)."""

    practitioner_id: str
    level: str
    level_title: str
    policy_id: str
    policy_version: int
    effective_on: date  # never earlier than the level's previous event (clamped)
    from_status: str
    to_status: str
    reason: str | None  # the admin's, for revoked and reinstated
    explanation: Explanation
    correction: bool = False
    corrects: list[str] = []  # ids of earlier transition events this one supersedes
    # the practice date the change truly took effect; before effective_on only when
    # late evidence moved history behind what was already published
    true_effective_on: date | None = None


class CertificationGranted(CertificationTransitioned):
    pass


class CertificationAtRisk(CertificationTransitioned):
    pass


class CertificationRestored(CertificationTransitioned):
    pass


class CertificationLapsed(CertificationTransitioned):
    pass


class CertificationRevoked(CertificationTransitioned):
    pass


class CertificationReinstated(CertificationTransitioned):
    pass


TRANSITION_EVENTS: dict[str, type[CertificationTransitioned]] = {
    "granted": CertificationGranted,
    "at_risk": CertificationAtRisk,
    "restored": CertificationRestored,
    "lapsed": CertificationLapsed,
    "revoked": CertificationRevoked,
    "reinstated": CertificationReinstated,
}
TRANSITION_EVENT_NAMES = frozenset(cls.name for cls in TRANSITION_EVENTS.values())
INTERNAL_EVENTS = frozenset(
    {
        EvidenceReceived.name,
        EvidenceRetracted.name,
        ObserverCalibrationReceived.name,
        PolicyVersionCreated.name,
        PolicyAdopted.name,
        TransitionsRetracted.name,
        ImportWindowOpened.name,
        ImportWindowClosed.name,
        TransitionSettled.name,
    }
)

EVENT_CLASSES: tuple[type[DomainEvent], ...] = (
    PractitionerRegistered,
    PractitionerDetailsChanged,
    PractitionerLeft,
    PractitionerReturned,
    EvidenceReceived,
    EvidenceRetracted,
    ObserverCalibrationReceived,
    PolicyVersionCreated,
    PolicyAdopted,
    TransitionsRetracted,
    ImportWindowOpened,
    ImportWindowClosed,
    TransitionSettled,
    *TRANSITION_EVENTS.values(),
    *CREDENTIAL_EVENTS,
)
registry = EventRegistry()
for _event in EVENT_CLASSES:
    registry.register(_event)
