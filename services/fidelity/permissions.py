"""The role × action matrix of the fidelity service: the only place access is decided.

Two finer rules live here too, so no route repeats them: who may act for another
observer (record an observation or a calibration attempt in someone else's name, e.g.
an admin importing history), and whose records a principal may read (a practitioner
reads only their own).
"""

from __future__ import annotations

from shared.auth import Principal, Role
from shared.operations import OPERATIONS_PERMISSIONS

ADMIN, SUPERVISOR, COACH, OBSERVER = Role.ADMIN, Role.SUPERVISOR, Role.COACH, Role.OBSERVER
PRACTITIONER, AUDITOR, SERVICE = Role.PRACTITIONER, Role.AUDITOR, Role.SERVICE

# Roles that read every record of their agency; a practitioner alone reads their own.
AGENCY_READERS = frozenset({ADMIN, SUPERVISOR, COACH, OBSERVER, AUDITOR, SERVICE})

PERMISSIONS: dict[str, frozenset[Role]] = {
    "instruments.read": AGENCY_READERS | {PRACTITIONER},
    "instruments.publish": frozenset({ADMIN}),
    "observations.record": frozenset({ADMIN, SUPERVISOR, COACH, OBSERVER}),
    "observations.read": AGENCY_READERS | {PRACTITIONER},
    # recording an observation or a calibration attempt under another observer's id
    "observers.act_for_another": frozenset({ADMIN, SERVICE}),
    "reliability.read": frozenset({ADMIN, SUPERVISOR, COACH, OBSERVER, AUDITOR, SERVICE}),
    "calibration.references.create": frozenset({ADMIN}),
    "calibration.references.read": frozenset({ADMIN, SUPERVISOR, COACH, OBSERVER, AUDITOR}),
    # the gold-standard ratings: never shown to the observers who are calibrated on them
    "calibration.gold_standard.read": frozenset({ADMIN, AUDITOR}),
    "calibration.attempt": frozenset({ADMIN, SUPERVISOR, COACH, OBSERVER}),
    "calibration.read": frozenset({ADMIN, SUPERVISOR, COACH, OBSERVER, AUDITOR, SERVICE}),
    "trends.read": frozenset({ADMIN, SUPERVISOR, COACH, AUDITOR, SERVICE, PRACTITIONER}),
    # bulk import (NDJSON) of records and its reports: agency administrators only
    "imports.run": frozenset({Role.ADMIN}),
    "imports.read": frozenset({Role.ADMIN}),
    # the kernel's operations API: dead letters, consumer and relay positions
    **OPERATIONS_PERMISSIONS,
}


def may(principal: Principal, action: str) -> bool:
    """Whether the principal holds a role the matrix allows for `action`."""
    return principal.has_any(PERMISSIONS[action])


def own_records_only(principal: Principal) -> str | None:
    """The practitioner id a principal is confined to, or None when it reads the agency."""
    return None if principal.has_any(AGENCY_READERS) else principal.subject
