"""Which pages each role sees: the portal's navigation, not its security.

Every rule that protects data is the services' own (the portal calls them with the
signed-in person's token); this matrix only keeps people away from pages that would
answer them "forbidden", and picks the page each person lands on.
"""

from __future__ import annotations

from shared.auth import Role

A, S, C, OB, P, AU = (
    Role.ADMIN,
    Role.SUPERVISOR,
    Role.COACH,
    Role.OBSERVER,
    Role.PRACTITIONER,
    Role.AUDITOR,
)

PAGES: dict[str, frozenset[Role]] = {
    "board": frozenset({A, S, AU}),
    "team": frozenset({S, C}),
    "practitioner": frozenset({A, S, C, P, AU}),
    "observe": frozenset({A, S, C, OB}),
    "coach": frozenset({A, S, C}),
    "admin": frozenset({A}),
}

# Roles that read every practitioner of the agency (a practitioner reads only themself).
AGENCY_WIDE = frozenset({A, S, C, AU})

NAVIGATION = (
    ("board", "Agency board", "/board"),
    ("team", "My team", "/team"),
    ("observe", "Observe", "/observe"),
    ("coach", "Coach", "/coach"),
    ("admin", "Admin", "/admin"),
)


def may_open(roles: frozenset[Role], page: str) -> bool:
    return bool(roles & PAGES[page])


def reads_agency(roles: frozenset[Role]) -> bool:
    return bool(roles & AGENCY_WIDE)
