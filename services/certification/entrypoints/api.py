"""HTTP routers of the certification service."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from services.certification.entrypoints import (
    admin,
    certification,
    import_windows,
    policies,
    roster,
)

routers: list[APIRouter] = [
    roster.router,
    certification.router,
    policies.router,
    admin.router,
    admin.dead_letters,
    import_windows.router,
]

OPENAPI_TAGS: list[dict[str, Any]] = [
    {"name": "roster", "description": "Practitioners of the agency and their level statuses."},
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
        "description": "Rebuild projections from the log; upstream events rejected as evidence.",
    },
    {
        "name": "import windows",
        "description": "Import windows: hold publication while an agency's history is "
        "imported, then publish only the net transitions.",
    },
]
