"""Roster routes: register practitioners, list them by status or team, read one with history."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import asyncpg
from fastapi import APIRouter, Depends, Query, Request, Response, status
from pydantic import TypeAdapter

from services.certification.adapters import listing
from services.certification.domain.transitions import CertificationStatus
from services.certification.entrypoints.dependencies import (
    Today,
    refuse_after_today,
    today,
    today_of_request,
    today_on_request,
)
from services.certification.handlers.roster import (
    NewRegistration,
    RegisterPractitioner,
    register_practitioner,
)
from services.certification.models.roster import (
    LevelStatusPublic,
    PractitionerCreate,
    PractitionerPublic,
)
from services.certification.models.roster_lifecycle import (
    PractitionerDetailPublic,
    RosterChangePublic,
)
from services.certification.permissions import ensure_may_read
from shared.auth import Principal, allow
from shared.database import Connection
from shared.identifiers import PersonPath, PersonQuery
from shared.lean_route import LeanRoute, answered_lean
from shared.lean_write import answered_lean_write
from shared.pagination import (
    Page,
    PageRequest,
    joined_json_page,
    page_request,
    plain_page_request,
)
from shared.problems import PROBLEM_RESPONSES, NotFound
from shared.service import Runtime, RuntimeDep, get_runtime
from shared.shared_reads import SharedReads

router = APIRouter(
    prefix="/practitioners",
    tags=["roster"],
    responses=PROBLEM_RESPONSES,
    route_class=LeanRoute,
)


# a row's levels (its jsonb list) validated in one call, not one call per level
LEVELS: TypeAdapter[list[LevelStatusPublic]] = TypeAdapter(list[LevelStatusPublic])


def practitioner_public(row: asyncpg.Record) -> PractitionerPublic:
    return PractitionerPublic(**_entry_fields(row))


def _entry_fields(row: asyncpg.Record) -> dict[str, Any]:
    """A roster row's fields of `PractitionerPublic` (and of the detail, which extends it)."""
    return {
        "practitioner_id": row["practitioner_id"],
        "role": row["role"],
        "program_start": row["program_start"],
        "coach_id": row["coach_id"],
        "supervisor_id": row["supervisor_id"],
        "team_id": row["team_id"],
        "left_on": row["left_on"],
        "levels": LEVELS.validate_python(row["levels"]),
        "evaluated_as_of": row["as_of"],
        "next_change_on": row["next_change_on"],
    }


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Register a practitioner (201; 200 for an identical repeat)",
)
@answered_lean_write(stand_ins={get_runtime: get_runtime, today_of_request: today_on_request})
async def register(
    body: PractitionerCreate,
    principal: Annotated[Principal, allow("practitioners.register")],
    runtime: RuntimeDep,
    today: Today,
    response: Response,
) -> PractitionerDetailPublic:
    refuse_after_today(body.program_start, "program_start", today)
    command = RegisterPractitioner(
        practitioner_id=body.practitioner_id,
        role=body.role,
        program_start=body.program_start,
        coach_id=body.coach_id,
        supervisor_id=body.supervisor_id,
        team_id=body.team_id,
    )

    async def detail(conn: Connection) -> PractitionerDetailPublic:
        return await practitioner_detail_on(conn, principal.agency_id, body.practitioner_id)

    outcome = await register_practitioner(runtime, principal, command, today, detail)
    if isinstance(outcome, NewRegistration):
        return registered_detail(outcome)
    response.status_code = status.HTTP_200_OK
    return outcome


def registered_detail(registration: NewRegistration) -> PractitionerDetailPublic:
    """A new practitioner's entry as `practitioner_detail` reads it once committed, from
    what the registration stored (no read back): the entry, the statuses of its
    evaluation, and a history of the registration alone (the practitioner's stream was
    new)."""
    entry, state = registration.entry, registration.evaluated.state
    return PractitionerDetailPublic(
        practitioner_id=entry.practitioner_id,
        role=entry.role,
        program_start=entry.program_start,
        coach_id=entry.coach_id,
        supervisor_id=entry.supervisor_id,
        team_id=entry.team_id,
        left_on=None,
        levels=[
            LevelStatusPublic(
                level=level.level_key,
                status=level.status,
                since=level.since,
                certified_on=level.certified_on,
                at_risk_since=level.at_risk_since,
            )
            for level in state.levels
        ],
        evaluated_as_of=state.as_of,
        next_change_on=registration.evaluated.next_change_on,
        history=[
            RosterChangePublic(
                kind="registered",
                effective_on=entry.program_start,
                changed=[],
                role=entry.role,
                program_start=entry.program_start,
                coach_id=entry.coach_id,
                supervisor_id=entry.supervisor_id,
                team_id=entry.team_id,
                reason=None,
                recorded_at=registration.registered.recorded_at,
            )
        ],
    )


async def practitioner_detail(
    runtime: Runtime, agency_id: str, practitioner_id: str
) -> PractitionerDetailPublic:
    """The roster entry with its level statuses and its roster history (404 if unknown)."""
    async with runtime.pool.acquire() as conn:
        return await practitioner_detail_on(conn, agency_id, practitioner_id)


async def practitioner_detail_on(
    conn: Connection, agency_id: str, practitioner_id: str
) -> PractitionerDetailPublic:
    """`practitioner_detail` on a connection the caller holds."""
    row = await listing.roster_row(conn, agency_id, practitioner_id)
    if row is None:
        raise NotFound(f"no practitioner {practitioner_id} on this agency's roster")
    return PractitionerDetailPublic(
        **_entry_fields(row),
        history=[RosterChangePublic.model_validate(dict(change)) for change in row["history"]],
    )


# the board's pages being read, open to identical requests that arrive meanwhile
BOARD_PAGES: SharedReads[bytes] = SharedReads()


async def roster_answer(
    runtime: Runtime, agency_id: str, page: PageRequest, wanted: listing.RosterFilter
) -> Response:
    """A page of the roster as the board's list answers it on every refresh: the items as
    PostgreSQL stored them, in the response model's shape (tests/certification/
    test_certification_roster_api.py holds them to it), without a pass over each in
    Python. Requests for the same page that arrive while its query waits for a
    connection take that query's answer (shared/shared_reads.py): every client of an
    agency's board asks the same first page."""
    query = listing.roster_query(agency_id, page, wanted, today(runtime))

    async def read(starting: Callable[[], None]) -> bytes:
        async with runtime.pool.acquire() as conn:
            found = await listing.roster_page(conn, query, starting)
        next_key = None if found.next_after is None else [found.next_after]
        return joined_json_page(found.items, next_key)

    body = await BOARD_PAGES.read((runtime.pool, query.sql, query.arguments), read)
    return Response(body, media_type="application/json")


async def unfiltered_roster(request: Request, principal: Principal) -> Response | None:
    """The lean answer of `list_practitioners` (shared/lean_route.py): a page of the whole
    current roster, asked with at most `limit` and `cursor`; the route answers any other
    question, and any value it would refuse."""
    page = plain_page_request(request.scope.get("query_string", b""))
    if page is None:
        return None
    runtime: Runtime = request.app.state.runtime
    return await roster_answer(runtime, principal.agency_id, page, listing.RosterFilter())


@router.get(
    "",
    summary="The agency's roster, optionally filtered by status, level, supervisor, team",
    response_model=Page[PractitionerPublic],
)
@answered_lean(unfiltered_roster, stands_in_for=(get_runtime, page_request))
async def list_practitioners(
    principal: Annotated[Principal, allow("practitioners.list")],
    runtime: RuntimeDep,
    page: Annotated[PageRequest, Depends(page_request)],
    status_filter: Annotated[
        CertificationStatus | None,
        Query(alias="status", description="only practitioners with a level in this status"),
    ] = None,
    level: Annotated[
        str | None, Query(description="the level `status` applies to (any level if left out)")
    ] = None,
    supervisor_id: PersonQuery = None,  # only the supervisor's current team
    team_id: PersonQuery = None,  # only the current named team
    include_left: Annotated[
        bool, Query(description="also practitioners who have left (left out by default)")
    ] = False,
) -> Response:
    wanted = listing.RosterFilter(
        status=status_filter.value if status_filter else None,
        level=level,
        supervisor_id=supervisor_id,
        team_id=team_id,
        include_left=include_left,
    )
    return await roster_answer(runtime, principal.agency_id, page, wanted)


@router.get(
    "/{practitioner_id}",
    summary="One practitioner's roster entry, level statuses and roster history",
)
async def read_practitioner(
    practitioner_id: PersonPath,
    principal: Annotated[Principal, allow("practitioners.read")],
    runtime: RuntimeDep,
) -> PractitionerDetailPublic:
    ensure_may_read(principal, practitioner_id)
    return await practitioner_detail(runtime, principal.agency_id, practitioner_id)
