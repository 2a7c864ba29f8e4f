"""Registering an agency on the platform: its record and its first admin.

Registering again with the same content is a harmless repeat (200, no new token); with
different content it is a conflict. The first admin's token is issued only where the
service signs tokens itself (HS256); with RS256 the identity provider issues it.
"""

from __future__ import annotations

import asyncpg

from services.certification.adapters.agency_rows import find_agency, insert_agency, list_agencies
from services.certification.domain.agencies import AgencyRegistered
from services.certification.models.agencies import (
    AgencyCreate,
    AgencyPublic,
    AgencyRegisteredPublic,
    FirstAdmin,
)
from shared.auth import Principal, Role, issue_token
from shared.events import PendingEvent
from shared.idempotency import create_once, fingerprint
from shared.idempotency_keys import withhold_answer
from shared.naming import stream_id
from shared.practice_time import now_utc
from shared.problems import NotFound
from shared.service import Runtime


def agency_public(row: asyncpg.Record) -> AgencyPublic:
    return AgencyPublic(
        agency_id=row["agency_id"],
        name=row["name"],
        url=row["url"],
        first_admin_id=row["first_admin_id"],
        registered_by=row["registered_by"],
        registered_at=row["registered_at"],
    )


async def register_agency(
    runtime: Runtime, principal: Principal, body: AgencyCreate
) -> tuple[AgencyRegisteredPublic, bool]:
    url = str(body.url) if body.url is not None else None
    content_hash = fingerprint(body.agency_id, body.name, url, body.first_admin_id)

    async def find() -> tuple[AgencyPublic, str] | None:
        async with runtime.pool.acquire() as conn:
            row = await find_agency(conn, body.agency_id)
        return (agency_public(row), row["content_hash"]) if row else None

    async def create() -> AgencyPublic:
        event = AgencyRegistered(
            agency_id=body.agency_id,
            agency_name=body.name,
            url=url,
            first_admin_id=body.first_admin_id,
        )
        pending = PendingEvent(
            event=event,
            agency_id=body.agency_id,
            occurred_at=now_utc(),
            actor=principal.actor,
        )
        async with runtime.store.transaction() as conn:
            await runtime.store.append(
                conn, stream_id("agency", body.agency_id), [pending], expected_version=0
            )
            await insert_agency(
                conn,
                agency_id=body.agency_id,
                name=body.name,
                url=url,
                first_admin_id=body.first_admin_id,
                registered_by=principal.actor,
                content_hash=content_hash,
            )
            row = await find_agency(conn, body.agency_id)
        assert row is not None
        return agency_public(row)

    agency, created = await create_once(
        what=f"agency {body.agency_id}", find=find, create=create, content_hash=content_hash
    )
    token = _first_admin_token(runtime, agency) if created else None
    first_admin = FirstAdmin(subject=agency.first_admin_id, roles=[Role.ADMIN.value], token=token)
    return AgencyRegisteredPublic(**agency.model_dump(), first_admin=first_admin), created


def _first_admin_token(runtime: Runtime, agency: AgencyPublic) -> str | None:
    settings = runtime.settings
    if settings.jwt_algorithm != "HS256":
        return None
    withhold_answer(f"registered agency {agency.agency_id!r} (GET /agencies/{agency.agency_id})")
    return issue_token(
        settings,
        subject=agency.first_admin_id,
        agency_id=agency.agency_id,
        roles=[Role.ADMIN.value],
        ttl_seconds=min(8 * 3600, settings.max_token_lifetime_seconds),
    )


async def agency_list(runtime: Runtime) -> list[AgencyPublic]:
    async with runtime.pool.acquire() as conn:
        return [agency_public(row) for row in await list_agencies(conn)]


async def get_agency(runtime: Runtime, agency_id: str) -> AgencyPublic:
    async with runtime.pool.acquire() as conn:
        row = await find_agency(conn, agency_id)
    if row is None:
        raise NotFound(f"no agency {agency_id!r} on this platform; GET /agencies lists them")
    return agency_public(row)
