"""Reading observations: one by id, or a filtered page, within the caller's scope."""

from __future__ import annotations

import dataclasses
import uuid

from services.fidelity.adapters.observation_rows import (
    ObservationFilter,
    find_observation,
    list_observations,
)
from services.fidelity.handlers.cursors import date_and_seq, date_seq_key, page_of
from services.fidelity.handlers.observations import observation_public
from services.fidelity.handlers.observers import readable_practitioner
from services.fidelity.models.observations import ObservationPublic
from services.fidelity.permissions import own_records_only
from shared.auth import Principal
from shared.pagination import Page, PageRequest
from shared.problems import NotFound, Unprocessable
from shared.service import Runtime


async def get_observation(
    runtime: Runtime, principal: Principal, observation_id: uuid.UUID
) -> ObservationPublic:
    async with runtime.pool.acquire() as conn:
        row = await find_observation(conn, principal.agency_id, observation_id)
    confined_to = own_records_only(principal)
    if row is None or (confined_to is not None and row["practitioner_id"] != confined_to):
        raise NotFound(f"no observation {observation_id} in this agency")
    return observation_public(row)


async def list_observation_page(
    runtime: Runtime, principal: Principal, where: ObservationFilter, page: PageRequest
) -> Page[ObservationPublic]:
    if where.meeting_from and where.meeting_to and where.meeting_from > where.meeting_to:
        raise Unprocessable("meeting_from is after meeting_to; swap them")
    practitioner = readable_practitioner(principal, where.practitioner_id)
    scoped = dataclasses.replace(where, practitioner_id=practitioner)
    async with runtime.pool.acquire() as conn:
        rows = await list_observations(
            conn, principal.agency_id, scoped, after=date_and_seq(page), limit=page.limit + 1
        )
    return page_of(
        rows,
        page.limit,
        lambda r: date_seq_key(r["meeting_date"], r["seq"]),
        observation_public,
    )
