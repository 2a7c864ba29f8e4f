"""HTTP routers of the certification service."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from services.certification.entrypoints import (
    admin,
    agencies,
    certification,
    credentials,
    import_windows,
    policies,
    roster,
    roster_lifecycle,
    teams,
)

# the most asked first (a request is matched against the routes in turn): a
# practitioner's state, then the board's list; no two routes match the same request
routers: list[APIRouter] = [
    certification.router,
    roster.router,
    roster_lifecycle.router,
    teams.router,
    policies.router,
    admin.router,
    admin.dead_letters,
    agencies.router,
    import_windows.router,
    credentials.holder,
    credentials.public,
    credentials.keys,
]

OPENAPI_TAGS: list[dict[str, Any]] = [
    {
        "name": "roster",
        "description": "Practitioners of the agency with their level statuses, their roster "
        "lifecycle (changes, leaving, return, by effective date) and the teams it defines.",
    },
    {
        "name": "certification",
        "description": "State as of any date with its explanation, published history, "
        "revocation and reinstatement by an agency admin.",
    },
    {
        "name": "policies",
        "description": "Versioned certification policies, adoption history, what-if.",
    },
    {
        "name": "operations",
        "description": "Rebuild projections from the log; upstream events rejected as evidence;"
        " dead letters (list, retry, discard); consumer and relay positions and lag.",
    },
    {
        "name": "agencies",
        "description": "Agencies on the platform and their first admins (platform operators).",
    },
    {
        "name": "import windows",
        "description": "Import windows: hold publication while an agency's history is "
        "imported, then publish only the net transitions.",
    },
    {
        "name": "credentials",
        "description": "Portable Open Badges 3.0 credentials: a holder's downloads (JSON, PNG "
        "badge), public verification, each agency's did:web DID document, JWKS and status list.",
    },
]
