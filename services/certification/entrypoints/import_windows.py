"""Import window routes: hold an agency's publication during a history import.

`POST /import-windows` opens (201; a repeat with the same id answers 200), `POST
/import-windows/{id}/close` publishes the net transitions and answers the closed
window, `GET /import-windows?status=open` shows windows left open (with `overdue`).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response

from services.certification.adapters import window_rows
from services.certification.adapters.window_rows import ImportWindow
from services.certification.config import certification_settings
from services.certification.entrypoints.dependencies import Today
from services.certification.handlers.import_windows import (
    close_import_window,
    open_import_window,
    upstream_pending,
)
from services.certification.models.import_windows import ImportWindowCreate, ImportWindowPublic
from shared.auth import Principal, allow
from shared.idempotency import repeat_response
from shared.identifiers import PersonPath
from shared.pagination import Page, PageRequest, build_page, keyset, page_request
from shared.practice_time import now_utc
from shared.problems import PROBLEM_RESPONSES, NotFound
from shared.service import Runtime, RuntimeDep

router = APIRouter(prefix="/import-windows", tags=["import windows"], responses=PROBLEM_RESPONSES)

WindowPath = PersonPath  # the same id rule as every id a client chooses


def window_public(
    window: ImportWindow, runtime: Runtime, upstream_pending: int | None = None
) -> ImportWindowPublic:
    overdue_after = certification_settings(runtime.settings).import_window_overdue_hours * 3600
    ended = window.closed_at or now_utc()
    seconds = (ended - window.opened_at).total_seconds()
    return ImportWindowPublic(
        id=window.window_id,
        status="open" if window.is_open else "closed",
        label=window.label,
        opened_at=window.opened_at,
        opened_by=window.opened_by,
        closed_at=window.closed_at,
        closed_by=window.closed_by,
        open_seconds=round(seconds, 3),
        overdue=window.is_open and seconds > overdue_after,
        practitioners_held=window.practitioners_held,
        transitions_published=window.transitions_published,
        upstream_pending_at_close=upstream_pending,
    )


@router.post(
    "",
    status_code=201,
    responses=repeat_response(ImportWindowPublic),
    summary="Open an import window: certification evaluates but publishes nothing (admin)",
)
async def open_window(
    body: ImportWindowCreate,
    principal: Annotated[Principal, allow("import_windows.open")],
    runtime: RuntimeDep,
    response: Response,
) -> ImportWindowPublic:
    answer = await open_import_window(runtime, principal, body.id, body.label)
    response.status_code = 201 if answer.created else 200
    return window_public(answer.window, runtime)


@router.post(
    "/{window_id}/close",
    summary="Close an import window: publish only the net transitions, with true dates",
)
async def close_window(
    window_id: WindowPath,
    principal: Annotated[Principal, allow("import_windows.close")],
    runtime: RuntimeDep,
    today: Today,
    wait_seconds: Annotated[
        float,
        Query(
            ge=0,
            le=600,
            description="how long to wait for upstream evidence still queued for "
            "certification before closing",
        ),
    ] = 30,
) -> ImportWindowPublic:
    pending = await upstream_pending(runtime, wait_seconds)
    window = await close_import_window(runtime, principal, window_id, today)
    return window_public(window, runtime, pending)


@router.get("/{window_id}", summary="An import window: status, practitioners held, published")
async def read_window(
    window_id: WindowPath,
    principal: Annotated[Principal, allow("import_windows.read")],
    runtime: RuntimeDep,
) -> ImportWindowPublic:
    async with runtime.pool.acquire() as conn:
        window = await window_rows.window(conn, principal.agency_id, window_id)
    if window is None:
        raise NotFound(f"no import window {window_id} in this agency")
    return window_public(window, runtime)


@router.get("", summary="The agency's import windows (`status=open`: those holding publication)")
async def list_windows(
    principal: Annotated[Principal, allow("import_windows.read")],
    runtime: RuntimeDep,
    page: Annotated[PageRequest, Depends(page_request)],
    status: Annotated[Literal["open"] | None, Query(description="only open windows")] = None,
) -> Page[ImportWindowPublic]:
    (after,) = keyset(page, "text") or ("",)
    async with runtime.pool.acquire() as conn:
        found = await window_rows.windows(
            conn, principal.agency_id, only_open=status == "open", after=after, limit=page.limit + 1
        )
    return build_page(
        [window_public(w, runtime) for w in found], page.limit, lambda item: [item.id]
    )
