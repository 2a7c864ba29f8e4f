"""The role × action matrix of the learning service: the only place access is decided.

`lms_partner` appears nowhere here: partner LMSs reach the learning service only
through the xAPI statements resource. A caller whose only role is `practitioner` may
read only their own learning (`scope_to_own_records`).
"""

from __future__ import annotations

from shared.auth import Principal, Role
from shared.operations import OPERATIONS_PERMISSIONS
from shared.problems import Forbidden

_A, _S, _C, _O, _P, _AU, _SV = (
    Role.ADMIN,
    Role.SUPERVISOR,
    Role.COACH,
    Role.OBSERVER,
    Role.PRACTITIONER,
    Role.AUDITOR,
    Role.SERVICE,
)

PERMISSIONS: dict[str, frozenset[Role]] = {
    "catalog.read": frozenset({_A, _S, _C, _O, _P, _AU, _SV}),
    "enrollments.create": frozenset({_A, _S, _SV}),
    "enrollments.read": frozenset({_A, _S, _C, _P, _AU, _SV}),
    "attempts.record": frozenset({_A, _S, _SV}),
    "attempts.read": frozenset({_A, _S, _C, _P, _AU, _SV}),
    "reviews.record": frozenset({_A, _S, _C, _SV}),
    "reviews.read": frozenset({_A, _S, _C, _P, _AU, _SV}),
    "visibility.read": frozenset({_A, _S, _C, _P, _AU, _SV}),
    "teams.read": frozenset({_A, _S, _C, _AU, _SV}),
    # bulk import (NDJSON) of records and its reports: agency administrators only
    "imports.run": frozenset({Role.ADMIN}),
    "imports.read": frozenset({Role.ADMIN}),
    # the kernel's operations API: dead letters, consumer and relay positions
    **OPERATIONS_PERMISSIONS,
}

# Roles that see every practitioner of their agency; anyone else sees only themselves.
_AGENCY_WIDE = frozenset({_A, _S, _C, _AU, _SV})


def sees_only_own_records(principal: Principal) -> bool:
    return not principal.has_any(_AGENCY_WIDE)


def scope_to_own_records(principal: Principal, practitioner_id: str | None) -> str | None:
    """The practitioner filter a caller may use: a practitioner is held to their own id."""
    if not sees_only_own_records(principal):
        return practitioner_id
    if practitioner_id is not None and practitioner_id != principal.subject:
        raise Forbidden("a practitioner may read only their own learning records")
    return principal.subject


def may_read(principal: Principal, practitioner_id: str) -> bool:
    """Whether a record of `practitioner_id` is visible (else it answers 404, not 403)."""
    return not sees_only_own_records(principal) or principal.subject == practitioner_id
