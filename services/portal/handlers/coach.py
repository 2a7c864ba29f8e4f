"""Coaching: the coach's caseload and sessions, logging a session, rating a skill."""

from __future__ import annotations

import asyncio
from typing import Any

from services.portal.adapters.services import ApiProblem, Apis
from services.portal.domain.viewer import Viewer
from services.portal.permissions import reads_agency
from shared.auth import Role


async def load_coach_home(apis: Apis, viewer: Viewer) -> dict[str, Any]:
    roster, sessions = await asyncio.gather(
        apis.certification.every("/practitioners"),
        apis.coaching.get("/sessions", coach_id=viewer.subject, limit=30),
    )
    if Role.COACH in viewer.roles and not viewer.roles & {Role.ADMIN, Role.SUPERVISOR}:
        caseload = [e["practitioner_id"] for e in roster if e.get("coach_id") == viewer.subject]
    elif reads_agency(viewer.roles):
        caseload = [e["practitioner_id"] for e in roster]
    else:
        caseload = []
    return {"caseload": sorted(caseload), "sessions": sessions["items"]}


async def send(call: Any) -> tuple[Any, dict[str, str]]:
    """(the created record, {}) or (None, {"_form": the problem's words})."""
    try:
        return await call, {}
    except ApiProblem as problem:
        if problem.status == 401:
            raise
        return None, {"_form": problem.detail}
