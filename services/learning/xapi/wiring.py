"""How the LRS plugs into the learning service's composition root.

`bootstrap` adds `XAPI_ROUTERS`, `XAPI_PERMISSIONS`, `XAPI_RAW_BODY_PREFIXES` and
`XAPI_OPENAPI_TAGS` to the service definition (the LRS tables, xapi/tables.py, are in
the learning schema) and awaits
`start_xapi` in its start-up hook. With `LEARNING_DEMO_XAPI_KEY` and
`LEARNING_DEMO_XAPI_SECRET` set (as `make run` does), `start_xapi` makes them a working
credential of the demo agency and maps the demo LMS's six module courses and its
accounts, idempotently.
"""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import APIRouter

from services.learning.handlers.context import LEARNING
from shared.auth import Role
from shared.service import Runtime

from .adapters import mapping_store
from .api import admin_credentials, admin_mappings, partner_outcomes
from .api.lrs import lrs_of
from .api.router import XAPI_TAG
from .api.router import router as lrs_router
from .cmi5 import MoveOn
from .credential_admin import ensure_credential
from .evidence import ActivityMapping, MappingKind
from .evidence_recording import reevaluate_for_practitioner
from .roster_replay import replay_on_registration

log = structlog.get_logger(__name__)

DEMO_AGENCY = "demo-agency"  # as in system.local_data
DEMO_LMS_NAME = "Demo LMS"
DEMO_LMS_HOME_PAGE = "https://lms.demo.miiwrap.org"
DEMO_MODULE_COURSE = DEMO_LMS_HOME_PAGE + "/courses/miiwrap/modules/{module_id}"

# the LRS parses its own bodies (multipart/mixed, documents of any type)
XAPI_RAW_BODY_PREFIXES = ("/xapi/",)

XAPI_ROUTERS: list[APIRouter] = [
    lrs_router,
    admin_credentials.router,
    admin_mappings.router,
    partner_outcomes.router,
]

XAPI_PERMISSIONS: dict[str, frozenset[Role]] = {
    "xapi.credentials.manage": frozenset({Role.ADMIN}),
    "xapi.mappings.manage": frozenset({Role.ADMIN}),
    "xapi.mappings.read": frozenset({Role.ADMIN, Role.SUPERVISOR, Role.AUDITOR}),
}

XAPI_OPENAPI_TAGS: list[dict[str, Any]] = [
    {
        "name": XAPI_TAG,
        "description": "xAPI 1.0.3 Learning Record Store for partner LMSs (HTTP Basic)",
    },
    {"name": "xAPI credentials", "description": "LMS-partner credentials of the agency"},
    {"name": "xAPI mappings", "description": "Which Statements become learning evidence"},
]

__all__ = [
    "XAPI_OPENAPI_TAGS",
    "XAPI_PERMISSIONS",
    "XAPI_RAW_BODY_PREFIXES",
    "XAPI_ROUTERS",
    "start_xapi",
]


async def start_xapi(runtime: Runtime) -> None:
    """Create the LRS's runtime state; seed the demo credential when configured."""
    lrs_of(runtime)
    LEARNING.of(runtime).on_enrolled.append(reevaluate_for_practitioner)
    LEARNING.of(runtime).on_registered.append(replay_on_registration)
    key = getattr(runtime.settings, "demo_xapi_key", None)
    secret = getattr(runtime.settings, "demo_xapi_secret", None)
    if not key or not secret:
        return
    async with runtime.store.transaction() as conn:
        await ensure_credential(conn, DEMO_AGENCY, str(key), DEMO_LMS_NAME, str(secret))
        await mapping_store.add_account_home_page(conn, DEMO_AGENCY, DEMO_LMS_HOME_PAGE)
        for order in range(1, 7):
            module_id = f"M{order}"
            mapping = ActivityMapping(
                DEMO_MODULE_COURSE.format(module_id=module_id),
                MappingKind.MODULE,
                module_id,
                MoveOn.COMPLETED_AND_PASSED,
            )
            await mapping_store.save_activity_mapping(conn, DEMO_AGENCY, mapping)
    log.info("demo_xapi_credential_ready", agency=DEMO_AGENCY, key=key)
