"""Admin use cases: the roster, policy versions with a what-if before adoption, LMS access."""

from __future__ import annotations

import asyncio
from typing import Any

from services.portal.adapters.services import MAX_PAGES, ApiProblem, Apis


async def attempt(call: Any) -> tuple[Any, dict[str, str]]:
    """(the answer, {}) or (None, {"_form": the service's problem detail})."""
    try:
        return await call, {}
    except ApiProblem as problem:
        if problem.status == 401:
            raise
        return None, {"_form": problem.detail}


async def load_policies(apis: Apis) -> dict[str, Any]:
    versions, adopted = await asyncio.gather(
        apis.certification.every("/policies"), apis.certification.get("/policies/adopted")
    )
    return {"versions": versions, "adopted": adopted}


async def what_if(apis: Apis, policy_id: str, version: int) -> dict[str, Any]:
    """What adopting the version would change, practitioner by practitioner."""
    stored = await apis.certification.get(f"/policies/{policy_id}/versions/{version}")
    outcome = await apis.certification.post("/policies/what-if", stored["policy"], limit=200)
    everyone = list(outcome["practitioners"]["items"])
    cursor = outcome["practitioners"].get("next_cursor")
    for _ in range(MAX_PAGES):  # the outcome lists practitioners a page at a time
        if not cursor:
            break
        more = await apis.certification.post(
            "/policies/what-if", stored["policy"], limit=200, cursor=cursor
        )
        everyone.extend(more["practitioners"]["items"])
        cursor = more["practitioners"].get("next_cursor")
    changed = [p for p in everyone if any(c in ("gain", "lose") for c in p["changes"].values())]
    return {"stored": stored, "outcome": outcome, "changed": changed}


async def load_lms(apis: Apis) -> dict[str, Any]:
    credentials, activities = await asyncio.gather(
        apis.learning.get("/xapi-credentials"), apis.learning.get("/xapi-mappings/activities")
    )
    return {"credentials": credentials, "activities": activities}
