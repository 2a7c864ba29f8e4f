"""The role × action matrix of the certification service: the only place access is decided.

A `practitioner` may hold the read actions, but only for their own record
(`ensure_may_read`); every other reader sees the agency.
Only an agency `admin` registers practitioners, changes their roster details, records
a leaving or a return, adopts policies, revokes and opens or closes an import window.
"""

from __future__ import annotations

from shared.auth import Principal, Role
from shared.operations import OPERATIONS_PERMISSIONS
from shared.problems import Forbidden

A, P = Role.ADMIN, Role.PRACTITIONER
# Everyone who reads any practitioner of the agency; observers and LMS partners do not.
STAFF_READERS = frozenset({A, Role.SUPERVISOR, Role.COACH, Role.AUDITOR, Role.SERVICE})

PERMISSIONS: dict[str, frozenset[Role]] = {
    # bulk import (NDJSON) of records and its reports: agency administrators only
    "imports.run": frozenset({Role.ADMIN}),
    "imports.read": frozenset({Role.ADMIN}),
    "practitioners.register": frozenset({A}),
    "practitioners.list": STAFF_READERS,
    "practitioners.read": STAFF_READERS | {P},
    "practitioners.change": frozenset({A}),
    "practitioners.leave": frozenset({A}),
    "practitioners.return": frozenset({A}),
    "teams.list": STAFF_READERS,
    "teams.read": STAFF_READERS,
    "certification.read": STAFF_READERS | {P},
    "certification.history": STAFF_READERS | {P},
    "certification.revoke": frozenset({A}),
    "certification.reinstate": frozenset({A}),
    # portable credentials: the holder and the agency's staff download; an admin rotates keys
    "credentials.read": STAFF_READERS | {P},
    "credentials.rotate_key": frozenset({A}),
    "policies.read": STAFF_READERS,
    "policies.create": frozenset({A}),
    "policies.adopt": frozenset({A}),
    "policies.what_if": frozenset({A, Role.SUPERVISOR, Role.AUDITOR}),
    "projections.rebuild": frozenset({A}),
    "rejected_evidence.read": frozenset({A, Role.AUDITOR}),
    "import_windows.open": frozenset({A}),
    "import_windows.close": frozenset({A}),
    "import_windows.read": frozenset({A, Role.AUDITOR, Role.SERVICE}),
    # the platform, not an agency: onboarding new agencies
    "agencies.create": frozenset({Role.PLATFORM_OPERATOR}),
    "agencies.read": frozenset({Role.PLATFORM_OPERATOR}),
    # the kernel's operations API: dead letters, consumer and relay positions
    **OPERATIONS_PERMISSIONS,
}

# Roles that read any practitioner of their agency (a practitioner reads only themself).
AGENCY_WIDE_READERS = STAFF_READERS


def ensure_may_read(principal: Principal, practitioner_id: str) -> None:
    """A practitioner reads only their own record; agency-wide readers read anyone's."""
    if principal.has_any(AGENCY_WIDE_READERS):
        return
    if principal.subject != practitioner_id:
        raise Forbidden("a practitioner may read only their own certification")
