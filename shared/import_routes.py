"""HTTP of bulk imports, the worker that stores a real run, and how a service adds both.

`POST /imports?dry_run=` takes NDJSON (one record per line, each with its `kind` and its
stable `id`). A dry run checks every line with the handlers inside transactions that are
rolled back and answers 200 with the report; a real run is kept and answered 202 at
once, and the worker (a periodic job under the kernel supervisor) stores it batch by
batch. `GET /imports/{id}` is the report, `GET /imports/{id}/errors` the invalid lines.

A service gets all of it with `with_imports(definition, kinds)` in its bootstrap.
"""

from __future__ import annotations

import codecs
import dataclasses
import uuid
from collections.abc import Mapping, Sequence
from typing import Annotated, Any

import structlog
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from shared.auth import Principal, allow
from shared.database import Connection
from shared.idempotency import fingerprint
from shared.import_models import ImportLineError, ImportReport, report_of
from shared.import_store import (
    IMPORT_DDL,
    claim_running_import,
    count_failed_round,
    find_import,
    finish_import,
    insert_import,
    invalid_lines,
    line_counts,
    list_imports,
    pending_lines,
    principal_of,
    problem_text,
    record_results,
    reset_failed_rounds,
)
from shared.imports import (
    TRANSIENT_ERRORS,
    DomainErrors,
    ImportKind,
    LineResult,
    ParsedLine,
    parse_line,
    problem_body,
    run_batch,
)
from shared.pagination import Page, PageRequest, build_page, keyset, page_request
from shared.problems import (
    PROBLEM_RESPONSES,
    NotFound,
    PayloadTooLarge,
    Unprocessable,
    UnsupportedMediaType,
)
from shared.service import Runtime, RuntimeDep, ServiceDefinition

log = structlog.get_logger(__name__)

NDJSON_TYPES = ("application/x-ndjson", "application/jsonl", "application/ndjson")
MAX_FAILED_ROUNDS = 10


def read_lines(
    body: bytes, kinds: Mapping[str, ImportKind[Any]], max_lines: int
) -> list[ParsedLine]:
    """The body's non-empty lines, numbered from 1 as a text editor numbers them."""
    raw_lines = body.removeprefix(codecs.BOM_UTF8).split(b"\n")
    numbered = [(n, raw) for n, raw in enumerate(raw_lines, start=1) if raw.strip()]
    if not numbered:
        raise Unprocessable("the body holds no line; send one JSON record per line")
    if len(numbered) > max_lines:
        raise PayloadTooLarge(
            f"the body holds {len(numbered)} lines; at most {max_lines} are taken in one "
            "import: split the file and import the parts in order"
        )
    parsed = []
    for number, raw in numbered:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            problem = problem_body(
                422, "Invalid import line", "the line is not UTF-8 text", "invalid-import-line"
            )
            parsed.append(ParsedLine(number, "", "", {}, problem))
            continue
        parsed.append(parse_line(number, text, kinds))
    return parsed


async def dry_run(
    runtime: Runtime,
    principal: Principal,
    kinds: Mapping[str, ImportKind[Any]],
    lines: Sequence[ParsedLine],
    domain_errors: DomainErrors,
) -> list[LineResult]:
    """Every line through the handlers, batch by batch, each batch rolled back.

    A batch sees what is stored and its own earlier lines; a record repeated from an
    earlier batch is judged against that line's content, as a real run would judge it.
    """
    seen: dict[tuple[str, str], str] = {}
    results: list[LineResult] = []
    size = runtime.settings.import_batch_lines
    for start in range(0, len(lines), size):
        batch = lines[start : start + size]
        fresh = [line for line in batch if (line.kind, line.record_id) not in seen]
        async with runtime.pool.acquire() as conn:
            transaction = conn.transaction()
            await transaction.start()
            try:
                decided = await run_batch(runtime, conn, principal, kinds, fresh, domain_errors)
            finally:
                await transaction.rollback()
        by_number = {r.number: r for r in decided}
        for line in batch:
            key, content = (line.kind, line.record_id), fingerprint(line.fields)
            result = by_number.get(line.number) or _repeat_of_earlier(line, seen[key] == content)
            if result.outcome != "invalid" and key not in seen:
                seen[key] = content
            results.append(result)
    return results


def _repeat_of_earlier(line: ParsedLine, same: bool) -> LineResult:
    if same:
        return LineResult(line.number, line.kind, line.record_id, "present")
    problem = problem_body(
        409,
        "Conflict",
        f"an earlier line holds {line.kind} {line.record_id} with different content; "
        "send exactly the same content to repeat it, or use a new id for a new record",
        "conflict",
    )
    return LineResult(line.number, line.kind, line.record_id, "invalid", problem)


async def store_next_batch(
    runtime: Runtime, kinds: Mapping[str, ImportKind[Any]], domain_errors: DomainErrors
) -> bool:
    """Store the next batch of the oldest running import; False when there is none."""
    claimed: dict[str, Any] = {}
    try:
        async with runtime.pool.acquire() as conn, conn.transaction():
            row = await claim_running_import(conn)
            if row is None:
                return False
            agency_id, import_id = row["agency_id"], row["id"]
            claimed.update(agency_id=agency_id, import_id=import_id)
            limit = runtime.settings.import_batch_lines
            lines = await pending_lines(conn, agency_id, import_id, limit)
            if not lines:
                await finish_import(conn, agency_id, import_id, "completed")
                return True
            principal = principal_of(agency_id, row["principal"])
            results = await run_batch(runtime, conn, principal, kinds, lines, domain_errors)
            await record_results(conn, agency_id, import_id, results)
            await reset_failed_rounds(conn, agency_id, import_id)
        return True
    except TRANSIENT_ERRORS as error:
        if not claimed:
            raise
        log.warning("import_batch_failed", import_id=str(claimed["import_id"]), error=repr(error))
        async with runtime.pool.acquire() as conn:
            await count_failed_round(
                conn,
                claimed["agency_id"],
                claimed["import_id"],
                f"the database failed while storing a batch ({type(error).__name__}); "
                "the batch is retried",
                MAX_FAILED_ROUNDS,
            )
        return False


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
            413: {"description": "too large a body, or too many lines"},
            415: {"description": "not NDJSON"},
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


def with_imports(
    definition: ServiceDefinition, kinds: Mapping[str, ImportKind[Any]]
) -> ServiceDefinition:
    """`definition` plus bulk import of `kinds`: routes, tables, worker, body limit."""
    settings = definition.settings
    errors = definition.domain_errors

    async def store_running_imports(runtime: Runtime) -> None:
        while await store_next_batch(runtime, kinds, errors):
            pass

    return dataclasses.replace(
        definition,
        routers=[*definition.routers, import_router(kinds, errors)],
        migrations=[*definition.migrations, *IMPORT_DDL],
        periodic_jobs=[
            *definition.periodic_jobs,
            (settings.import_poll_seconds, store_running_imports),
        ],
        raw_body_prefixes=[*definition.raw_body_prefixes, "/imports"],
        body_limits={**definition.body_limits, "/imports": settings.import_max_bytes},
        openapi_tags=_with_imports_tag(definition.openapi_tags),
    )


def _with_imports_tag(tags: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
    if tags is None:
        return None
    description = "Bulk import of NDJSON records, dry runs, and their reports"
    return [*tags, {"name": "imports", "description": description}]
