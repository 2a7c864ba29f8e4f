"""HTTP of bulk imports, and how a service adds them (routes, tables, worker, body limit).

`POST /imports?dry_run=` takes NDJSON (one record per line, each with its `kind` and its
stable `id`). A dry run checks every line with the handlers inside transactions that are
rolled back and answers 200 with the report; a real run is kept and answered 202 at
once, and the worker (a periodic job under the kernel supervisor) stores it batch by
batch. `GET /imports/{id}` is the report, `GET /imports/{id}/errors` the invalid lines.

A service gets all of it with `with_imports(definition, kinds)` in its bootstrap.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import uuid
from collections.abc import Mapping
from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from shared.auth import Principal, allow
from shared.database import Connection
from shared.import_models import ImportLineError, ImportReport, report_of
from shared.import_runs import dry_run, read_lines, store_next_batch
from shared.import_store import (
    find_import,
    insert_import,
    invalid_lines,
    line_counts,
    list_imports,
    problem_text,
)
from shared.imports import DomainErrors, ImportKind, LineResult
from shared.pagination import Page, PageRequest, build_page, keyset, page_request
from shared.problems import (
    PROBLEM_RESPONSES,
    NotFound,
    UnsupportedMediaType,
)
from shared.service import Runtime, RuntimeDep, ServiceDefinition

NDJSON_TYPES = ("application/x-ndjson", "application/jsonl", "application/ndjson")


async def report(conn: Connection, agency_id: str, import_id: uuid.UUID) -> ImportReport:
    found = await find_import(conn, agency_id, import_id)
    if found is None:
        raise NotFound(f"no import {import_id} in this agency")
    return report_of(found, await line_counts(conn, agency_id, import_id))


def import_router(kinds: Mapping[str, ImportKind[Any]], domain_errors: DomainErrors) -> APIRouter:
    router = APIRouter(prefix="/imports", tags=["imports"], responses=PROBLEM_RESPONSES)
    known = ", ".join(sorted(kinds))

    @router.post(
        "",
        status_code=202,
        summary="Import records in bulk (NDJSON), or check them with dry_run=true",
        description=(
            "One JSON record per line, `Content-Type: application/x-ndjson`. Each line is "
            "the body its single-record POST takes plus `kind` "
            f"({known}); its `id` is required, so a re-import stores nothing twice. "
            "`dry_run=true` checks every line with the same rules, stores nothing, and "
            "answers 200 with the report; otherwise the import is answered 202 and stored "
            "in the background: follow `GET /imports/{id}`."
        ),
        response_model=ImportReport,
        responses={
            200: {"model": ImportReport, "description": "the dry run's report"},
            413: {**PROBLEM_RESPONSES[422], "description": "too large a body, or too many lines"},
            415: {**PROBLEM_RESPONSES[422], "description": "not NDJSON"},
        },
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"application/x-ndjson": {"schema": {"type": "string"}}},
            }
        },
    )
    async def start_import(
        request: Request,
        runtime: RuntimeDep,
        principal: Annotated[Principal, allow("imports.run")],
        dry_run_only: Annotated[
            bool, Query(alias="dry_run", description="check every line, store nothing")
        ] = False,
    ) -> JSONResponse:
        media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if media not in NDJSON_TYPES:
            raise UnsupportedMediaType(
                "send the records as NDJSON, one JSON object per line, with "
                f"'Content-Type: application/x-ndjson' (got {media or 'no Content-Type'})"
            )
        lines = read_lines(await request.body(), kinds, runtime.settings.import_max_lines)
        import_id = uuid.uuid4()
        results: list[LineResult] = []
        if dry_run_only:
            results = await dry_run(runtime, principal, kinds, lines, domain_errors)
        async with runtime.pool.acquire() as conn, conn.transaction():
            await insert_import(
                conn, principal, import_id, lines, dry_run=dry_run_only, results=results
            )
            body = await report(conn, principal.agency_id, import_id)
        if not dry_run_only:
            import_worker_wake(runtime).set()  # stored from now, not at the next poll
        return JSONResponse(
            body.model_dump(mode="json"),
            status_code=200 if dry_run_only else 202,
            headers={"Location": f"/imports/{import_id}"},
        )

    @router.get("", summary="The agency's imports and dry runs, newest first")
    async def list_agency_imports(
        runtime: RuntimeDep,
        principal: Annotated[Principal, allow("imports.read")],
        page: Annotated[PageRequest, Depends(page_request)],
    ) -> Page[ImportReport]:
        before = keyset(page, "datetime", "uuid")
        async with runtime.pool.acquire() as conn:
            rows = await list_imports(conn, principal.agency_id, before, page.limit + 1)
            reports = [
                report_of(row, await line_counts(conn, principal.agency_id, row.id)) for row in rows
            ]
        return build_page(reports, page.limit, lambda r: [r.created_at.isoformat(), str(r.id)])

    @router.get("/{import_id}", summary="An import's report: status, counts, progress")
    async def read_import(
        runtime: RuntimeDep,
        principal: Annotated[Principal, allow("imports.read")],
        import_id: uuid.UUID,
    ) -> ImportReport:
        async with runtime.pool.acquire() as conn:
            return await report(conn, principal.agency_id, import_id)

    @router.get("/{import_id}/errors", summary="An import's invalid lines, by line number")
    async def list_import_errors(
        runtime: RuntimeDep,
        principal: Annotated[Principal, allow("imports.read")],
        import_id: uuid.UUID,
        page: Annotated[PageRequest, Depends(page_request)],
    ) -> Page[ImportLineError]:
        after = keyset(page, "int")
        async with runtime.pool.acquire() as conn:
            await report(conn, principal.agency_id, import_id)  # 404 for another agency's
            rows = await invalid_lines(
                conn, principal.agency_id, import_id, after[0] if after else 0, page.limit + 1
            )
        errors = [
            ImportLineError(
                line=r["line_no"],
                kind=r["kind"],
                id=r["record_id"],
                problem=problem_text(r["problem"]),
            )
            for r in rows
        ]
        return build_page(errors, page.limit, lambda e: [e.line])

    return router


def import_worker_wake(runtime: Runtime) -> asyncio.Event:
    """Set when an import is taken in: the worker of this process starts on it at once
    (the other replicas' workers find it at their next poll)."""
    wake = runtime.extras.get("import_worker_wake")
    if wake is None:
        wake = runtime.extras["import_worker_wake"] = asyncio.Event()
    return cast(asyncio.Event, wake)


def with_imports(
    definition: ServiceDefinition, kinds: Mapping[str, ImportKind[Any]]
) -> ServiceDefinition:
    """`definition` plus bulk import of `kinds`: routes, worker, body limit (the tables are
    in every service schema: shared/schema/import_tables.py)."""
    settings = definition.settings
    errors = definition.domain_errors

    async def store_running_imports(runtime: Runtime) -> None:
        """A round: wait for a new import (or the poll interval), then store every
        running import batch by batch. The wait is in the round, so a failing round
        is retried no sooner than the poll interval."""
        wake = import_worker_wake(runtime)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(settings.import_poll_seconds):
                await wake.wait()
        wake.clear()
        while await store_next_batch(runtime, kinds, errors):
            pass

    return dataclasses.replace(
        definition,
        routers=[*definition.routers, import_router(kinds, errors)],
        periodic_jobs=[*definition.periodic_jobs, (0.0, store_running_imports)],
        raw_body_prefixes=[*definition.raw_body_prefixes, "/imports"],
        body_limits={**definition.body_limits, "/imports": settings.import_max_bytes},
        openapi_tags=_with_imports_tag(definition.openapi_tags),
    )


def _with_imports_tag(tags: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
    if tags is None:
        return None
    description = "Bulk import of NDJSON records, dry runs, and their reports"
    return [*tags, {"name": "imports", "description": description}]
