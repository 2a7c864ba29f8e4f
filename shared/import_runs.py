"""Running an import: reading the NDJSON body, a dry run, and the worker's next batch.

A dry run goes through the handlers in one transaction that is rolled back;
a real run is stored by `store_next_batch`, called by a periodic job under the kernel
supervisor until no running import is left. A batch's lines and their outcomes commit
together, so a batch interrupted by an outage is redone whole, and never counted twice.
"""

from __future__ import annotations

import codecs
from collections.abc import Mapping, Sequence
from typing import Any

import structlog

from shared.auth import Principal
from shared.import_store import (
    claim_running_import,
    count_failed_round,
    finish_import,
    pending_lines,
    principal_of,
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
from shared.problems import PayloadTooLarge, Unprocessable
from shared.service import Runtime

log = structlog.get_logger(__name__)

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
    """Every line through the handlers in one transaction, rolled back at the end.

    One transaction, so each line is judged with every earlier line of the file in place
    (attempts after their enrollment, a repeated id against its first line), exactly as
    the real run will judge it. While it is open, the service's relay holds back events
    committed after it began (the commit-safe fence): a dry run delays publication by
    its own duration, never loses or reorders anything.
    """
    async with runtime.pool.acquire() as conn:
        transaction = conn.transaction()
        await transaction.start()
        try:
            return await run_batch(runtime, conn, principal, kinds, lines, domain_errors)
        finally:
            await transaction.rollback()


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
