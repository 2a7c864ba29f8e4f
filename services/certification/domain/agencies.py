"""Agencies on the platform: the organisation record certification keeps for each one.

Certification owns the organisation and its roster, so it also keeps the list of
agencies: each is registered once by a platform operator, with its first admin. The
event is internal (kept in the log, never published): agency apps learn of nothing
before their agency exists.
"""

from __future__ import annotations

from shared.events import DomainEvent


class AgencyRegistered(DomainEvent):
    agency_id: str
    agency_name: str
    url: str | None
    first_admin_id: str


AGENCY_EVENTS = frozenset({AgencyRegistered.name})
