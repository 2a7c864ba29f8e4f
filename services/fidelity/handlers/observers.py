"""Who an observation or calibration attempt is recorded for, and what a caller may read."""

from __future__ import annotations

from services.fidelity.permissions import may, own_records_only
from shared.auth import Principal
from shared.problems import Forbidden


def acting_observer(principal: Principal, observer_id: str | None) -> str:
    """The observer of a record: the caller, unless a role may act for another observer."""
    if observer_id is None or observer_id == principal.subject:
        return principal.subject
    if not may(principal, "observers.act_for_another"):
        raise Forbidden(
            f"you are {principal.subject!r} and may record only as yourself; "
            "leave observer_id out, or ask an admin to import records for other observers"
        )
    return observer_id


def readable_practitioner(principal: Principal, requested: str | None) -> str | None:
    """The practitioner filter a read must apply: a practitioner reads only their own."""
    confined_to = own_records_only(principal)
    if confined_to is None:
        return requested
    if requested is not None and requested != confined_to:
        raise Forbidden("a practitioner may read only their own records")
    return confined_to
