"""Seed an agency with the personas' history through the four services' public APIs.

Order: read the catalog and the instrument; map the demo LMS's activities; calibrate
the observers (a reference
meeting per yearly round, then each observer's attempt); register every practitioner
at certification (the roster the other services copy; a team is a supervisor's
practitioners there, so no service needs teams of its own); then each
persona's learning (the enrollment, then one xAPI batch from the LMS), coaching and
fidelity chains side by side; last, the revocations,
once certification has granted what the admin revokes.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import date, timedelta

from system.demo_history.client import DemoApi, SeedError
from system.demo_history.lms import mapping_calls, reported_by_lms
from system.demo_history.personas import PERSONAS, Persona
from system.demo_history.plan import (
    Call,
    Catalog,
    PersonaPlan,
    calibration_calls,
    client_id,
    plan_persona,
)
from system.demo_history.ratings import Instrument

TEAM_MEETING_TOOL = "team-meeting-observation"


@dataclass(frozen=True)
class SeedReport:
    practitioners: int
    created: int
    existing: int
    seconds: float


async def read_catalog(api: DemoApi) -> Catalog:
    modules = await api.get("learning", "/catalog/modules", limit=100)
    concepts = {m["id"]: list(m["concept_ids"]) for m in modules["items"] if m.get("core", True)}
    instrument = await api.get("fidelity", f"/instruments/{TEAM_MEETING_TOOL}")
    return Catalog(concepts=concepts, instrument=Instrument.from_api(instrument))


async def seed_agency(
    api: DemoApi, agency_id: str, anchor: date, personas: tuple[Persona, ...] = PERSONAS
) -> SeedReport:
    started = time.monotonic()
    catalog = await read_catalog(api)
    for round_calls in calibration_calls(agency_id, anchor, catalog.instrument):
        await api.send(round_calls[0])  # the reference first, then the attempts on it
        await asyncio.gather(*(api.send(call) for call in round_calls[1:]))
    await asyncio.gather(*(api.send(call) for call in mapping_calls(catalog)))
    plans = [plan_persona(p, agency_id, anchor, catalog) for p in personas]
    await asyncio.gather(*(api.send(plan.registration) for plan in plans))
    await asyncio.gather(*(api.send_in_order(chain) for plan in plans for chain in _chains(plan)))
    await asyncio.gather(
        *(_revoke(api, agency_id, plan, anchor) for plan in plans if plan.persona.revoked)
    )
    return SeedReport(
        practitioners=len(plans),
        created=api.tally.created,
        existing=api.tally.existing,
        seconds=time.monotonic() - started,
    )


def _chains(plan: PersonaPlan) -> list[list[Call]]:
    learning = reported_by_lms(plan.learning)
    return [chain for chain in (learning, plan.coaching, plan.fidelity) if chain]


async def _revoke(
    api: DemoApi, agency_id: str, plan: PersonaPlan, anchor: date, wait: float = 60.0
) -> None:
    """Revoke once certification has granted (the evidence reaches it over NATS)."""
    persona = plan.persona
    assert persona.revoked is not None
    days_ago, reason = persona.revoked
    deadline = time.monotonic() + wait
    while True:
        entry = await api.get("certification", f"/practitioners/{persona.id}")
        status = {level["level"]: level["status"] for level in entry["levels"]}["facilitator"]
        if status == "revoked":
            api.tally.existing += 1
            return
        if status in ("certified", "at_risk"):
            break
        if time.monotonic() > deadline:
            raise SeedError(f"{persona.id} not certified after {wait:.0f}s (status {status})")
        await asyncio.sleep(0.5)
    body = {
        "level": "facilitator",
        "reason": reason,
        "effective_on": (anchor - timedelta(days=days_ago)).isoformat(),
    }
    path = f"/practitioners/{persona.id}/revocations"
    key = client_id(agency_id, persona.id, "revocation")
    await api.send(Call("certification", path, body, idempotency_key=key))
