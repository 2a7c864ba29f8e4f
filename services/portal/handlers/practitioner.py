"""Everything one practitioner's page shows, fetched from the four services at once.

The roster entry comes first: another agency's practitioner (or none) is a 404 there,
and the page says "not found". Each other section is fetched on its own, so a section
a service cannot answer (not enrolled in learning yet) says so without failing the page.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from services.portal.adapters.services import ApiProblem, Apis


@dataclass(frozen=True)
class Section:
    value: Any
    problem: ApiProblem | None = None


async def section(call: Awaitable[Any]) -> Section:
    try:
        return Section(await call)
    except ApiProblem as problem:
        if problem.status == 401:
            raise
        return Section(None, problem)


async def load_practitioner(apis: Apis, practitioner_id: str, as_of: date) -> dict[str, Any]:
    path = f"/practitioners/{practitioner_id}"
    # learning reads a moment; the end of a past day, or now for today
    moment = None if as_of >= datetime.now(UTC).date() else f"{as_of.isoformat()}T23:59:59Z"
    entry = await apis.certification.get(path)  # 404 → the not-found page
    (
        state,
        transitions,
        trend,
        observations,
        progress,
        sessions,
        ratings,
        skills,
    ) = await asyncio.gather(
        section(apis.certification.get(f"{path}/certification", as_of=as_of.isoformat())),
        section(apis.certification.every(f"{path}/transitions")),
        section(apis.fidelity.get(f"{path}/fidelity-trend")),
        section(apis.fidelity.get("/observations", practitioner_id=practitioner_id, limit=50)),
        section(apis.learning.get(f"{path}/progress", as_of=moment)),
        section(apis.coaching.get("/sessions", practitioner_id=practitioner_id, limit=50)),
        section(apis.coaching.get("/ratings", practitioner_id=practitioner_id, limit=100)),
        section(apis.coaching.get(f"{path}/skills", as_of=as_of.isoformat())),
    )
    return {
        "entry": entry,
        "state": state,
        "transitions": transitions,
        "trend": trend,
        "observations": observations,
        "progress": progress,
        "sessions": sessions,
        "ratings": ratings,
        "skills": skills,
    }


async def load_state(
    apis: Apis, practitioner_id: str, as_of: date
) -> tuple[Section, list[dict[str, Any]]]:
    """The state as of a day, and the observations whose ids its reasons may name."""
    path = f"/practitioners/{practitioner_id}/certification"
    state, observations = await asyncio.gather(
        section(apis.certification.get(path, as_of=as_of.isoformat())),
        section(apis.fidelity.get("/observations", practitioner_id=practitioner_id, limit=50)),
    )
    return state, (observations.value or {}).get("items", [])
