"""Observing: instruments, the observer's calibration, and recording an observation."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date
from typing import Any

from services.portal.adapters.services import ApiProblem, Apis
from services.portal.domain.observation_form import form_errors, observation_body


async def load_observer_home(apis: Apis, observer_id: str, today: date) -> dict[str, Any]:
    instruments, calibration, mine, recent = await asyncio.gather(
        apis.fidelity.get("/instruments", limit=100),
        apis.fidelity.get(f"/observers/{observer_id}/calibration", on=today.isoformat()),
        apis.fidelity.get("/observations", observer_id=observer_id, limit=10),
        apis.fidelity.get("/observations", limit=20),
    )
    others = [
        o for o in recent["items"] if o["observer_id"] != observer_id and not o["co_observation_of"]
    ]
    return {
        "instruments": instruments["items"],
        "calibration": calibration,
        "mine": mine["items"],
        "co_observable": others,
    }


async def instrument_version(apis: Apis, key: str, version: int) -> dict[str, Any]:
    instrument: dict[str, Any] = await apis.fidelity.get(f"/instruments/{key}/versions/{version}")
    return instrument


async def record_observation(
    apis: Apis, instrument: dict[str, Any], form: dict[str, str], today: date
) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """(the recorded observation, None) or (None, field → what to fix)."""
    errors = form_errors(instrument, form, today)
    if errors:
        return None, errors
    # the id comes from the form, so a resent form records the observation once
    observation_id = form.get("observation_id") or str(uuid.uuid4())
    try:
        body = observation_body(instrument, form, observation_id)
        recorded: dict[str, Any] = await apis.fidelity.post("/observations", body)
    except ApiProblem as problem:
        if problem.status == 401:
            raise
        return None, {_field_of(problem): problem.detail}
    return recorded, {}


def _field_of(problem: ApiProblem) -> str:
    """The form field a problem is about, when its detail names one."""
    for name in ("practitioner_id", "co_observation_of", "meeting_date", "setting"):
        if name in problem.detail or name.replace("_", " ") in problem.detail:
            return name
    return "_form"
