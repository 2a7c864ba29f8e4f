"""Observations of an import taken in together: what recording each in turn gives, in a
few statements.

`record_observation` (the POST) costs a handful of round trips and a transaction per
record. An import's run of observations is checked line by line with the same rules in
the same order (observer, self-observation, future date, a repeat of a stored id,
instrument, ratings, roster), but each look-up is one query for the run: the stored
ids, the instruments, the roster on each line's date, the observers' calibration, the
practitioners' counted histories for drift. Then the run's events go in one append (in
line order, as consecutive POSTs store them) and its rows in one INSERT per table. A
line refused is reported with the error its POST raises and writes nothing; the others
land.

Drift is detected line by line in order, each line seeing the lines before it, exactly
as consecutive POSTs would (`drift_batch.py`). A co-observation (rare in an import, and
read against its first observation) goes through `record_observation` itself, in its
place in the order.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

import asyncpg
from pydantic import BaseModel
from pydantic_core import to_jsonable_python

from services.fidelity.adapters.observation_batch_rows import (
    ObservationRow,
    calibration_histories,
    insert_drift_signals,
    insert_observations,
    stored_fingerprints,
)
from services.fidelity.config import fidelity_settings
from services.fidelity.domain.calibration import CalibrationStatus, calibration_status_on
from services.fidelity.domain.errors import FidelityError
from services.fidelity.domain.events import ObservationRecorded
from services.fidelity.domain.instruments import Instrument
from services.fidelity.domain.recorded import observation_recorded
from services.fidelity.domain.scoring import (
    Rating,
    ScoredObservation,
    score_valid_ratings,
    validate_ratings,
)
from services.fidelity.handlers.content_hash import observation_content_hash
from services.fidelity.handlers.drift import drift_pending
from services.fidelity.handlers.drift_batch import new_drift_of_run
from services.fidelity.handlers.instruments import published_instruments
from services.fidelity.handlers.observations import record_observation
from services.fidelity.handlers.observers import acting_observer
from services.fidelity.models.observation_values import ObservationValues
from services.fidelity.models.observations import ObservationCreate
from shared.auth import Principal
from shared.database import Connection
from shared.events import PendingEvent
from shared.eventstore import EventStore
from shared.idempotency import ensure_same_content
from shared.idempotency_keys import minted_id
from shared.naming import stream_id
from shared.practice_time import as_practice_datetime, refuse_future
from shared.problems import Problem, Unprocessable
from shared.roster import NotOnRoster, off_roster, require_on_roster
from shared.service import Runtime

# True: stored; False: a faithful repeat; an exception: what its POST would raise
Outcome = bool | Exception
# each rating's text (an enum's `.value` is a slow property, read 50 times a line)
_TEXT: dict[Rating, str] = {rating: rating.value for rating in Rating}


@dataclass(frozen=True, slots=True)
class _Line:
    """A line past the checks made before any look-up."""

    index: int
    practitioner_id: str
    meeting_date: date
    instrument_key: str
    instrument_version: int
    setting: str
    observer_id: str
    observation_id: uuid.UUID
    content_hash: str
    # the body's ratings as (indicator, value) pairs, in the body's order
    pairs: list[tuple[str, Rating]]


@dataclass(frozen=True, slots=True)
class _Valid:
    """A line the look-ups accept: scored, with its observer's calibration."""

    line: _Line
    recorded: ObservationRecorded
    scored: ScoredObservation
    calibration: CalibrationStatus


async def record_observations(
    runtime: Runtime, principal: Principal, bodies: Sequence[ObservationCreate | ObservationValues]
) -> list[Outcome]:
    """Each body's outcome, in order: runs of plain observations together, each
    co-observation through the single-record path in its place. A body comes as the
    model, or as its values (`observation_values`: an import line read without a model
    object per rating)."""
    outcomes: list[Outcome] = []
    run: list[ObservationValues] = []
    async with runtime.pool.acquire() as conn:
        for body in bodies:
            values = _values(body)
            if values["co_observation_of"] is None:
                run.append(values)
                continue
            outcomes += await _record_together(runtime, conn, principal, run)
            run = []
            model = body if isinstance(body, ObservationCreate) else _model(values)
            outcomes.append(await _record_alone(runtime, conn, principal, model))
        outcomes += await _record_together(runtime, conn, principal, run)
    return outcomes


async def _record_alone(
    runtime: Runtime, conn: Connection, principal: Principal, body: ObservationCreate
) -> Outcome:
    """A co-observation by the single-record path; a repeat of a stored one answered
    before it (that path would find the twin only when its append fails, which spoils
    the batch's whole try)."""
    try:
        line = _checked(principal, 0, _values(body))
    except Problem as error:
        return error
    stored = await stored_fingerprints(conn, principal.agency_id, [line.observation_id])
    if line.observation_id in stored:
        return _repeat(line, stored[line.observation_id])
    try:
        _, created = await record_observation(runtime, principal, body)
    except asyncpg.PostgresError:
        raise  # the transaction may be spoiled: the batch is retried line by line
    except Exception as error:
        return error
    return created


def _values(body: ObservationCreate | ObservationValues) -> ObservationValues:
    return cast(ObservationValues, body.model_dump()) if isinstance(body, BaseModel) else body


def _model(values: ObservationValues) -> ObservationCreate:
    """The model of a body's values (a co-observation, rare in an import: the POST's path
    takes the model). The values are the model's own output, so they validate as they are."""
    return ObservationCreate.model_validate(values)


def _checked(principal: Principal, index: int, values: ObservationValues) -> _Line:
    """What `record_observation` checks before anything is read."""
    observer_id = acting_observer(principal, values["observer_id"])
    if observer_id == values["practitioner_id"]:
        raise Unprocessable("observer_id and practitioner_id are the same; no one observes self")
    refuse_future(values["meeting_date"], "meeting_date")
    # the body's `model_dump(mode="json")` without these, as `record_observation` hashes it
    content = to_jsonable_python({k: v for k, v in values.items() if k not in _NOT_CONTENT})
    pairs: list[tuple[str, Any]] = [(r["indicator_id"], r["rating"]) for r in values["ratings"]]
    # `canonical_ratings` of the body: the same pairs, sorted
    content_hash = observation_content_hash(content, observer_id, pairs)
    return _Line(
        index,
        values["practitioner_id"],
        values["meeting_date"],
        values["instrument_key"],
        values["instrument_version"],
        values["setting"],
        observer_id,
        minted_id(values["id"]),
        content_hash,
        pairs,
    )


_NOT_CONTENT = frozenset({"id", "ratings", "observer_id"})


def _repeat(line: _Line, stored_hash: str) -> Outcome:
    """A line whose id is stored: a faithful repeat, or a 409 for other content."""
    try:
        ensure_same_content(f"observation {line.observation_id}", stored_hash, line.content_hash)
    except Problem as error:
        return error
    return False


async def _record_together(
    runtime: Runtime, conn: Connection, principal: Principal, bodies: Sequence[ObservationValues]
) -> list[Outcome]:
    if not bodies:
        return []
    agency = principal.agency_id
    outcomes: dict[int, Outcome] = {}
    lines: list[_Line] = []
    for index, body in enumerate(bodies):
        try:
            lines.append(_checked(principal, index, body))
        except Problem as error:
            outcomes[index] = error
    stored = await stored_fingerprints(conn, agency, [line.observation_id for line in lines])
    fresh = [line for line in lines if line.observation_id not in stored]
    for line in lines:
        if line.observation_id in stored:
            outcomes[line.index] = _repeat(line, stored[line.observation_id])
    judged = await _judged(runtime, conn, principal, fresh)
    created: dict[uuid.UUID, str] = {}  # id → content hash of this run's new observations
    valid: list[_Valid] = []
    for line in fresh:
        if line.observation_id in created:  # an earlier line of the run stored this id
            outcomes[line.index] = _repeat(line, created[line.observation_id])
            continue
        verdict = judged[line.index]
        if isinstance(verdict, Exception):
            outcomes[line.index] = verdict
            continue
        created[line.observation_id] = line.content_hash
        valid.append(verdict)
        outcomes[line.index] = True
    await _store(runtime, conn, principal, valid)
    return [outcomes[index] for index in range(len(bodies))]


async def _judged(
    runtime: Runtime, conn: Connection, principal: Principal, lines: Sequence[_Line]
) -> dict[int, _Valid | Exception]:
    """Each line scored on its instrument, on the roster on its date, with its observer's
    calibration; or the error its POST would raise, checked in the POST's order."""
    agency = principal.agency_id
    verdicts: dict[int, _Valid | Exception] = {}
    instruments: dict[tuple[str, int], Instrument | Exception] = {}
    scored: dict[int, tuple[Instrument, ScoredObservation, dict[str, str]]] = {}
    for line in lines:
        wanted = (line.instrument_key, line.instrument_version)
        if wanted not in instruments:
            try:
                found = published_instruments(runtime)  # the POST's cache of versions
                instruments[wanted] = await found.load(conn, agency, *wanted)
            except Problem as error:
                instruments[wanted] = error
        instrument = instruments[wanted]
        if isinstance(instrument, Exception):
            verdicts[line.index] = instrument
            continue
        try:
            ratings = validate_ratings(instrument, line.pairs)
            result = score_valid_ratings(instrument, ratings)
        except FidelityError as error:
            verdicts[line.index] = error
            continue
        scored[line.index] = (instrument, result, {i: _TEXT[r] for i, r in ratings.items()})
    rated = [line for line in lines if line.index in scored]
    away = await off_roster(
        conn, agency, [(line.practitioner_id, line.meeting_date) for line in rated]
    )
    on_roster: list[_Line] = []
    for line in rated:
        if (line.practitioner_id, line.meeting_date) not in away:
            on_roster.append(line)
            continue
        verdicts[line.index] = await _roster_refusal(conn, agency, line)
    if not on_roster:
        return verdicts
    latest = max(line.meeting_date for line in on_roster)
    observers = sorted({line.observer_id for line in on_roster})
    histories = await calibration_histories(conn, agency, observers, latest)
    for line in on_roster:
        instrument, result, values = scored[line.index]
        calibration = calibration_status_on(
            histories[line.observer_id], line.observer_id, line.meeting_date, instrument.key
        )
        verdicts[line.index] = _Valid(
            line, _recorded(line, instrument, result, calibration, values), result, calibration
        )
    return verdicts


async def _roster_refusal(conn: Connection, agency: str, line: _Line) -> Exception:
    """The refusal `require_on_roster` gives this line (its wording, its extra fields)."""
    try:
        await require_on_roster(conn, agency, [line.practitioner_id], line.meeting_date)
    except NotOnRoster as error:
        return error
    raise RuntimeError(f"roster check of line {line.index} disagrees with require_on_roster")


def _recorded(
    line: _Line,
    instrument: Instrument,
    scored: ScoredObservation,
    calibration: CalibrationStatus,
    ratings: dict[str, str],
) -> ObservationRecorded:
    """The event `record_observation` appends for this line (no co-observation)."""
    return observation_recorded(
        observation_id=str(line.observation_id),
        practitioner_id=line.practitioner_id,
        observer_id=line.observer_id,
        meeting_date=line.meeting_date,
        setting=line.setting,
        instrument=instrument,
        scored=scored,
        observer_calibrated=calibration.calibrated,
        ratings=ratings,
    )


async def _store(
    runtime: Runtime, conn: Connection, principal: Principal, valid: Sequence[_Valid]
) -> None:
    """The run's events (each observation's, then the drift it reveals, in line order) in
    one append, its observations and drift signals in one INSERT each."""
    if not valid:
        return
    counted = [(v.line.index, v.recorded, v.scored) for v in valid if v.calibration.calibrated]
    thresholds = fidelity_settings(runtime).drift_thresholds
    drift = await new_drift_of_run(conn, principal, counted, thresholds)
    streams: list[tuple[str, Sequence[PendingEvent]]] = []
    for item in valid:
        recorded, agency = item.recorded, principal.agency_id
        pending = PendingEvent(
            event=recorded,
            agency_id=agency,
            subject=recorded.practitioner_id,
            occurred_at=as_practice_datetime(recorded.meeting_date),
            actor=principal.actor,
        )
        streams.append((stream_id("observation", agency, recorded.observation_id), [pending]))
        signals = drift.get(item.line.index, [])
        if signals:
            drift_stream = stream_id(
                "drift", agency, recorded.practitioner_id, recorded.instrument_key
            )
            streams.append((drift_stream, drift_pending(signals, principal)))
    await _append_in_order(runtime.store, conn, streams)
    rows = [
        ObservationRow(
            item.recorded,
            item.scored,
            item.calibration.reason,
            item.line.content_hash,
            principal.actor,
        )
        for item in valid
    ]
    await insert_observations(conn, principal.agency_id, rows)
    await insert_drift_signals(
        conn, principal.agency_id, [signal for signals in drift.values() for signal in signals]
    )


async def _append_in_order(
    store: EventStore, conn: Connection, streams: Sequence[tuple[str, Sequence[PendingEvent]]]
) -> None:
    """The events in one INSERT per stretch without a repeated stream (`append_streams`
    groups a stream's events together), so they are stored in the order consecutive
    POSTs store them: a practitioner's second drift signal of the run after the
    observations before it."""
    stretch: list[tuple[str, Sequence[PendingEvent]]] = []
    seen: set[str] = set()
    for stream, events in streams:
        if stream in seen:
            await store.append_streams(conn, stretch, as_sent=True)
            stretch, seen = [], set()
        stretch.append((stream, events))
        seen.add(stream)
    await store.append_streams(conn, stretch, as_sent=True)
