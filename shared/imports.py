"""Bulk import: NDJSON lines run through the very handlers the single-record routes use.

A service registers each kind of line once (`ImportKind("attempt", RecordAttempt,
record_attempt_line)`): the model the POST body uses, and a function that stores one
record with the same handler the route calls, answering True for a new record and False
for one already present (a faithful repeat of an earlier create with the same `id`). So an
import line and a POST give the same result, the same validation and the same events.

Lines run in batches: one transaction per batch, a savepoint per line, so an invalid line
rolls back alone and a batch commits many events at once. The handlers open their
transactions through `runtime.pool` / `runtime.store`; `pinned` hands them a runtime whose
pool is the batch's one connection, so their transaction becomes the line's savepoint. A
kind's `store` must therefore write only through the runtime it is given.

A kind may also take a run of its lines together (`store_many`): the outcome each line's
`store` would have had, in a few statements for the whole run. It is used on the batch's
first, whole try; the line-by-line retry after a failure uses `store` alone. Its lines
may be read by the kind's own `read_many` (the model's checks into lighter values).

A dry run is the same batch rolled back: every check the handlers make, nothing kept.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar, cast

import asyncpg
import structlog
from pydantic import AliasChoices, AliasPath, BaseModel, ValidationError
from pydantic_core import from_json, to_json

from shared.auth import Principal
from shared.batch_attempt import WholeBatchConnection
from shared.database import UNAVAILABLE_ERRORS, Connection, Pool
from shared.eventstore import ConcurrencyConflict, EventStore
from shared.problems import PROBLEM_BASE, Problem
from shared.request_guard import (
    DEFAULT_MAX_DEPTH,
    MalformedJson,
    UnstorableValue,
    parse_strict_json,
)
from shared.service import Runtime

log = structlog.get_logger(__name__)

M = TypeVar("M", bound=BaseModel)
Outcome = Literal["stored", "present", "invalid"]
# one line of a run stored together: True stored, False present, or the error its `store`
# would have raised (nothing of that line written)
ManyOutcome = bool | Exception
DomainErrors = Mapping[type[Exception], Callable[[Any], Problem]]

# most lines of one kind given to its `store_many` at once (its statements' size)
MAX_RUN = 500

# errors that say "try the batch again later", not "this line is wrong"
TRANSIENT_ERRORS: tuple[type[Exception], ...] = (
    *UNAVAILABLE_ERRORS,
    asyncpg.DeadlockDetectedError,
    asyncpg.SerializationError,
)


@dataclass(frozen=True)
class ImportKind(Generic[M]):
    """One kind of line: its body model and how one record of it is stored."""

    name: str
    model: type[M]
    store: Callable[[Runtime, Principal, M], Awaitable[bool]]
    # the field holding the record's stable id (a practitioner's registration: its id)
    id_field: str = "id"
    # a run of consecutive lines at once: each line's outcome, in order (see ManyOutcome)
    store_many: (
        Callable[[Runtime, Principal, Sequence[Any]], Awaitable[Sequence[ManyOutcome]]] | None
    ) = None
    # how `store_many` reads a line, when not as the model (`body`): the model's checks
    # into lighter values, raising the model's ValidationError for a line it refuses
    read_many: Callable[[ParsedLine], Any] | None = None

    def body(self, line: ParsedLine) -> M:
        """The line's record: validated straight from its stored JSON text when it was
        read back from the import's table (one parse, in pydantic-core), else from the
        fields the upload parsed (a dry run).

        The stored text is the line as sent, `kind` included: a model that ignores
        unknown keys and has no field of that name reads it as it is; any other gets
        the text without `kind` (decoded and encoded again by pydantic-core)."""
        if line.stored is not None:
            if _ignores_key(self.model, "kind"):
                return self.model.model_validate_json(line.stored)
            fields = from_json(line.stored)
            if isinstance(fields, dict):
                fields.pop("kind", None)
            return self.model.model_validate_json(to_json(fields))
        return self.model.model_validate(dict(line.fields))

    async def apply(self, runtime: Runtime, principal: Principal, line: ParsedLine) -> bool:
        return await self.store(runtime, principal, self.body(line))


@functools.cache
def _ignores_key(model: type[BaseModel], key: str) -> bool:
    """Whether `model` validates a body holding `key` as if it were absent: unknown
    keys ignored (pydantic's default), and no field read from that key."""
    if model.model_config.get("extra", "ignore") != "ignore":
        return False
    return all(
        key not in (name, field.alias, field.validation_alias)
        and not isinstance(field.validation_alias, AliasChoices | AliasPath)
        for name, field in model.model_fields.items()
    )


def import_kinds(*kinds: ImportKind[Any]) -> dict[str, ImportKind[Any]]:
    """A service's kinds by name (what `with_imports` takes)."""
    return {kind.name: kind for kind in kinds}


@dataclass(frozen=True)
class ParsedLine:
    """One non-empty line of the file: its number, kind and record id, or why it is unusable."""

    number: int
    kind: str
    record_id: str
    fields: dict[str, Any]
    problem: dict[str, Any] | None = None
    # a usable line as sent (its JSON is stored as it is, not encoded again from `fields`)
    text: str | None = None
    # a pending line read back from the import's table: its JSON as sent, `kind`
    # included (then `fields` is left empty; the kind's model reads the text, see
    # `ImportKind.body`)
    stored: str | None = None


@dataclass(frozen=True)
class LineResult:
    number: int
    kind: str
    record_id: str
    outcome: Outcome
    problem: dict[str, Any] | None = None


def problem_body(status: int, title: str, detail: str, slug: str, **extra: Any) -> dict[str, Any]:
    """The RFC 9457 body an import reports for an invalid line."""
    return {
        "type": PROBLEM_BASE + slug,
        "title": title,
        "status": status,
        "detail": detail,
        **extra,
    }


def _invalid(detail: str) -> dict[str, Any]:
    return problem_body(422, "Invalid import line", detail, "invalid-import-line")


def parse_line(number: int, text: str, kinds: Mapping[str, ImportKind[Any]]) -> ParsedLine:
    """A line as JSON with a known `kind` and a non-empty `id`, or the problem with it."""
    try:
        value = line_json(text, number)
    except (MalformedJson, UnstorableValue) as error:
        return ParsedLine(number, "", "", {}, _invalid(str(error)))
    if not isinstance(value, dict):
        return ParsedLine(number, "", "", {}, _invalid("each line must be one JSON object"))
    kind = value.pop("kind", None)
    known = ", ".join(sorted(kinds))
    if not isinstance(kind, str) or kind not in kinds:
        shown = str(kind)[:64] if kind is not None else None
        problem = _invalid(f"'kind' must be one of: {known} (got {shown!r})")
        return ParsedLine(number, str(kind or "")[:64], "", value, problem)
    id_field = kinds[kind].id_field
    record_id = value.get(id_field)
    if not isinstance(record_id, str) or not record_id.strip():
        problem = _invalid(
            f"a {kind} line needs its stable '{id_field}', so a re-import stores nothing twice"
        )
        return ParsedLine(number, kind, "", value, problem)
    return ParsedLine(number, kind, record_id[:200], value, text=text)


def line_json(text: str, number: int) -> Any:
    """`parse_strict_json`'s value of a line (its errors name the line), without a Python
    call per object for the usual line.

    A line of ASCII without a backslash holds no escape, so no NUL, no lone surrogate and
    no quote inside a string. pydantic-core parses it (refusing NaN and Infinity) and
    writes the value again: each key of the text is followed by one colon outside its
    strings, so the colons of the two texts are as many only when no key was given
    twice (a dropped key takes its colon, and any in its strings, with it). Any other
    line, one this parser refuses, or one that may nest deeper than `DEFAULT_MAX_DEPTH`
    goes to `parse_strict_json`, which gives the value or names the problem."""
    if (
        text.isascii()
        and "\\" not in text
        and text.count("[") + text.count("{") <= DEFAULT_MAX_DEPTH
    ):
        try:
            value = from_json(text, allow_inf_nan=False)
            written = to_json(value)
        except ValueError:
            pass
        else:
            if written.count(b":") == text.count(":"):
                return value
    return parse_strict_json(text, what=f"line {number}")


def problem_for_error(error: Exception, domain_errors: DomainErrors) -> dict[str, Any] | None:
    """What the single-record route would have answered for `error`; None if unexpected."""
    for error_type in type(error).__mro__:
        to_problem = domain_errors.get(error_type)
        if to_problem is not None:
            error = to_problem(error)
            break
    if isinstance(error, Problem):
        return problem_body(error.status, error.title, error.detail, error.slug, **error.extra)
    if isinstance(error, ValidationError):
        errors = [
            {"field": ".".join(str(p) for p in e["loc"]) or "line", "message": e["msg"]}
            for e in error.errors()
        ]
        detail = f"{errors[0]['field']}: {errors[0]['message']}" if errors else "invalid"
        if len(errors) > 1:
            detail += f" (and {len(errors) - 1} more problem(s), listed in 'errors')"
        return problem_body(422, "Invalid request", detail, "invalid-request", errors=errors)
    if isinstance(error, ConcurrencyConflict):
        return problem_body(409, "Concurrent modification", str(error), "concurrency-conflict")
    if isinstance(error, asyncpg.UniqueViolationError):
        return problem_body(
            409, "Conflict", "a record with this identity already exists", "conflict"
        )
    if isinstance(error, asyncpg.DataError):
        return problem_body(
            422,
            "Invalid request",
            "a value is outside what can be stored (too large a number, or too long a text)",
            "invalid-request",
        )
    return None


class _PinnedPool:
    """Stands in for the pool: every `acquire` yields the batch's one connection."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    @asynccontextmanager
    async def acquire(self) -> AsyncIterator[Connection]:
        yield self._conn


def pinned(runtime: Runtime, conn: Connection) -> Runtime:
    """The runtime seen by a batch's handlers: pool and store bound to `conn`."""
    pool = cast(Pool, _PinnedPool(conn))
    store = EventStore(pool, notify_channel=runtime.store.notify_channel)
    store.on_appended = runtime.store.on_appended  # imported events count in the metrics
    return dataclasses.replace(runtime, pool=pool, store=store)


async def run_batch(
    runtime: Runtime,
    conn: Connection,
    principal: Principal,
    kinds: Mapping[str, ImportKind[Any]],
    lines: Sequence[ParsedLine],
    domain_errors: DomainErrors,
) -> list[LineResult]:
    """Apply each line inside `conn`'s open transaction.

    The batch is first tried whole in one savepoint (shared/batch_attempt.py); should
    any line fail, that try is rolled back and each line applied in a savepoint of its
    own. A line the handlers refuse is rolled back alone and reported with the problem
    its POST would have answered. A transient database error (unreachable, deadlock) is
    raised, so the caller retries the whole batch; an unexpected error is logged and
    reported.
    """
    whole = WholeBatchConnection(conn)
    appended: list[str] = []  # counted in the metrics once the try stands
    try:
        async with conn.transaction():
            results = await _apply_whole(
                runtime, whole, principal, kinds, lines, appended, domain_errors
            )
        if runtime.store.on_appended is not None and appended:
            runtime.store.on_appended(appended)
        return results
    except TRANSIENT_ERRORS:
        raise
    except Exception:
        pass  # some line failed: each line's own outcome is found line by line
    return await _apply_line_by_line(runtime, conn, principal, kinds, lines, domain_errors)


async def _apply_whole(
    runtime: Runtime,
    whole: WholeBatchConnection,
    principal: Principal,
    kinds: Mapping[str, ImportKind[Any]],
    lines: Sequence[ParsedLine],
    appended: list[str],
    domain_errors: DomainErrors,
) -> list[LineResult]:
    """Every line without a savepoint; raises on the first that fails (a line a kind's
    `store_many` refuses is reported, not raised: it wrote nothing). The names of the
    events appended go to `appended`, not yet to the metrics."""
    batch_runtime = pinned(runtime, cast(Connection, whole))
    batch_runtime.store.on_appended = appended.extend
    results: list[LineResult] = []
    for run in _runs(lines, kinds):
        first = run[0]
        if first.problem is not None:
            results.append(
                LineResult(first.number, first.kind, first.record_id, "invalid", first.problem)
            )
            continue
        kind = kinds[first.kind]
        if kind.store_many is not None:
            results += await _store_run(batch_runtime, principal, kind, run, domain_errors)
            whole.check()
            continue
        created = await kind.apply(batch_runtime, principal, first)
        whole.check()
        outcome: Outcome = "stored" if created else "present"
        results.append(LineResult(first.number, first.kind, first.record_id, outcome))
    return results


def _runs(
    lines: Sequence[ParsedLine], kinds: Mapping[str, ImportKind[Any]]
) -> list[list[ParsedLine]]:
    """The lines in order, consecutive usable lines of a kind with `store_many` together
    (at most `MAX_RUN`: a dry run's batch is the whole file), every other line alone."""
    runs: list[list[ParsedLine]] = []
    for line in lines:
        many = line.problem is None and kinds[line.kind].store_many is not None
        previous = runs[-1][0] if runs and len(runs[-1]) < MAX_RUN else None
        if many and previous is not None and (previous.problem, previous.kind) == (None, line.kind):
            runs[-1].append(line)
            continue
        runs.append([line])
    return runs


async def _store_run(
    runtime: Runtime,
    principal: Principal,
    kind: ImportKind[Any],
    run: Sequence[ParsedLine],
    domain_errors: DomainErrors,
) -> list[LineResult]:
    """A run of one kind's lines stored together; a line its model refuses, or
    `store_many` refuses, is reported with the problem its POST would answer."""
    assert kind.store_many is not None
    outcomes: dict[int, ManyOutcome] = {}
    bodies: list[tuple[int, Any]] = []
    read = kind.body if kind.read_many is None else kind.read_many
    for line in run:
        try:
            bodies.append((line.number, read(line)))
        except ValidationError as error:
            outcomes[line.number] = error
    if bodies:
        answered = await kind.store_many(runtime, principal, [body for _, body in bodies])
        if len(answered) != len(bodies):
            raise RuntimeError(f"{kind.name}: {len(answered)} outcomes for {len(bodies)} lines")
        outcomes.update(zip((number for number, _ in bodies), answered, strict=True))
    results: list[LineResult] = []
    for line in run:
        outcome = outcomes[line.number]
        if isinstance(outcome, bool):
            stored: Outcome = "stored" if outcome else "present"
            results.append(LineResult(line.number, line.kind, line.record_id, stored))
            continue
        problem = problem_for_error(outcome, domain_errors)
        if problem is None:
            raise outcome  # unexpected: the line-by-line retry logs and reports it
        results.append(LineResult(line.number, line.kind, line.record_id, "invalid", problem))
    return results


async def _apply_line_by_line(
    runtime: Runtime,
    conn: Connection,
    principal: Principal,
    kinds: Mapping[str, ImportKind[Any]],
    lines: Sequence[ParsedLine],
    domain_errors: DomainErrors,
) -> list[LineResult]:
    """Each line in a savepoint of its own, its failure reported as its problem."""
    batch_runtime = pinned(runtime, conn)
    results: list[LineResult] = []
    for line in lines:
        if line.problem is not None:
            results.append(
                LineResult(line.number, line.kind, line.record_id, "invalid", line.problem)
            )
            continue
        try:
            async with conn.transaction():
                created = await kinds[line.kind].apply(batch_runtime, principal, line)
        except TRANSIENT_ERRORS:
            raise
        except Exception as error:
            problem = problem_for_error(error, domain_errors)
            if problem is None:
                log.exception("import_line_failed", line=line.number, kind=line.kind)
                problem = problem_body(
                    500,
                    "Internal error",
                    "the server failed to store this line; it has been logged, nothing of "
                    "this line was stored",
                    "internal-error",
                )
            results.append(LineResult(line.number, line.kind, line.record_id, "invalid", problem))
            continue
        outcome: Outcome = "stored" if created else "present"
        results.append(LineResult(line.number, line.kind, line.record_id, outcome))
    return results
