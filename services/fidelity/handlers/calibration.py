"""Use cases of observer calibration: reference meetings, attempts, status on a date."""

from __future__ import annotations

from datetime import date

import asyncpg

from services.fidelity.adapters.calibration_rows import (
    calibration_history,
    find_attempt,
    find_reference,
    insert_attempt,
    insert_reference,
)
from services.fidelity.config import fidelity_settings
from services.fidelity.domain.calibration import (
    CalibrationAttempt,
    CalibrationStatus,
    assess_calibration,
    calibration_expires_on,
    calibration_status_on,
)
from services.fidelity.domain.events import (
    CalibrationReferenceCreated,
    ObserverCalibrated,
    ObserverCalibrationFailed,
)
from services.fidelity.domain.scoring import Rating, validate_ratings
from services.fidelity.handlers.instruments import load_instrument
from services.fidelity.handlers.observers import acting_observer
from services.fidelity.models.calibration import (
    AttemptCreate,
    AttemptPublic,
    ReferenceCreate,
    ReferencePublic,
)
from services.fidelity.models.observations import canonical_ratings, rating_pairs
from shared import naming
from shared.auth import Principal
from shared.database import Connection
from shared.events import DomainEvent, PendingEvent
from shared.idempotency import create_once, fingerprint
from shared.idempotency_keys import minted_id
from shared.practice_time import as_practice_datetime, refuse_future
from shared.problems import Unprocessable
from shared.service import Runtime


def reference_public(row: asyncpg.Record) -> ReferencePublic:
    return ReferencePublic.model_validate(
        {**dict(row), "indicator_count": len(row["gold_ratings"])}
    )


def attempt_public(row: asyncpg.Record) -> AttemptPublic:
    expires = calibration_expires_on(row["attempted_on"]) if row["passed"] else None
    return AttemptPublic.model_validate({**dict(row), "expires_on": expires})


async def create_reference(
    runtime: Runtime, principal: Principal, body: ReferenceCreate
) -> tuple[ReferencePublic, bool]:
    refuse_future(body.meeting_date, "meeting_date")
    agency, reference_id = principal.agency_id, minted_id(body.id)
    content = body.model_dump(mode="json", exclude={"id", "gold_ratings"})
    content_hash = fingerprint({**content, "gold": canonical_ratings(body.gold_ratings)})

    async def find() -> tuple[ReferencePublic, str] | None:
        async with runtime.pool.acquire() as conn:
            row = await find_reference(conn, agency, reference_id)
        return (reference_public(row), row["content_hash"]) if row else None

    async def create() -> ReferencePublic:
        instrument = await load_instrument(
            runtime, agency, body.instrument_key, body.instrument_version
        )
        gold = validate_ratings(instrument, rating_pairs(body.gold_ratings))
        event = CalibrationReferenceCreated(
            reference_id=str(reference_id),
            title=body.title,
            instrument_key=instrument.key,
            instrument_version=instrument.version,
            meeting_date=body.meeting_date,
            gold_ratings={i: r.value for i, r in gold.items()},
        )
        async with runtime.store.transaction() as conn:
            await _append(
                runtime,
                conn,
                principal,
                naming.stream_id("reference", agency, str(reference_id)),
                event,
                subject=None,
                practice_date=body.meeting_date,
            )
            await insert_reference(
                conn, agency, event, content_hash=content_hash, created_by=principal.actor
            )
            row = await find_reference(conn, agency, reference_id)
        assert row is not None
        return reference_public(row)

    return await create_once(
        what=f"calibration reference {reference_id}",
        find=find,
        create=create,
        content_hash=content_hash,
    )


async def record_attempt(
    runtime: Runtime, principal: Principal, body: AttemptCreate
) -> tuple[AttemptPublic, bool]:
    """Score an attempt against the gold standard with the service's calibration bar."""
    observer_id = acting_observer(principal, body.observer_id)
    refuse_future(body.attempted_on, "attempted_on")
    agency, attempt_id = principal.agency_id, minted_id(body.id)
    content = body.model_dump(mode="json", exclude={"id", "ratings", "observer_id"})
    content_hash = fingerprint(
        {**content, "observer_id": observer_id, "ratings": canonical_ratings(body.ratings)}
    )

    async def find() -> tuple[AttemptPublic, str] | None:
        async with runtime.pool.acquire() as conn:
            row = await find_attempt(conn, agency, attempt_id)
        return (attempt_public(row), row["content_hash"]) if row else None

    async def create() -> AttemptPublic:
        async with runtime.pool.acquire() as conn:
            reference = await find_reference(conn, agency, body.reference_id)
        if reference is None:
            raise Unprocessable(
                f"reference_id {body.reference_id} is not a reference meeting of this agency; "
                "GET /calibration/references lists them"
            )
        if body.attempted_on < reference["meeting_date"]:
            raise Unprocessable(
                f"attempted_on {body.attempted_on} is before the reference meeting "
                f"({reference['meeting_date']}); an observer rates a meeting after it happened"
            )
        instrument = await load_instrument(
            runtime, agency, reference["instrument_key"], reference["instrument_version"]
        )
        ratings = validate_ratings(instrument, rating_pairs(body.ratings))
        attempt = assess_calibration(
            attempt_id=str(attempt_id),
            observer_id=observer_id,
            reference_id=str(body.reference_id),
            instrument_key=instrument.key,
            practice_date=body.attempted_on,
            observer_ratings=ratings,
            gold_ratings={i: Rating(r) for i, r in reference["gold_ratings"].items()},
            bar=fidelity_settings(runtime).calibration_bar,
        )
        plain = {i: r.value for i, r in ratings.items()}
        async with runtime.store.transaction() as conn:
            await _append(
                runtime,
                conn,
                principal,
                naming.stream_id("calibration", agency, str(attempt_id)),
                _attempt_event(attempt, instrument.key, instrument.version, plain),
                subject=observer_id,
                practice_date=body.attempted_on,
            )
            await insert_attempt(
                conn,
                agency,
                attempt,
                plain,
                content_hash=content_hash,
                recorded_by=principal.actor,
            )
            row = await find_attempt(conn, agency, attempt_id)
        assert row is not None
        return attempt_public(row)

    return await create_once(
        what=f"calibration attempt {attempt_id}",
        find=find,
        create=create,
        content_hash=content_hash,
    )


async def status_on(
    conn: Connection, agency_id: str, observer_id: str, on_date: date, instrument_key: str
) -> CalibrationStatus:
    """The observer's calibration on one instrument family (all versions of its key)."""
    history = await calibration_history(conn, agency_id, observer_id, on_date)
    return calibration_status_on(history, observer_id, on_date, instrument_key)


async def statuses_on(
    conn: Connection, agency_id: str, observer_id: str, on_date: date, instrument_keys: list[str]
) -> list[CalibrationStatus]:
    """The observer's calibration on each instrument family, one history read."""
    history = await calibration_history(conn, agency_id, observer_id, on_date)
    return [calibration_status_on(history, observer_id, on_date, k) for k in instrument_keys]


def _attempt_event(
    attempt: CalibrationAttempt, key: str, version: int, ratings: dict[str, str]
) -> DomainEvent:
    common = {
        "attempt_id": attempt.attempt_id,
        "observer_id": attempt.observer_id,
        "reference_id": attempt.reference_id,
        "instrument_key": key,
        "instrument_version": version,
        "attempted_on": attempt.practice_date,
        "kappa": attempt.kappa,
        "percent_agreement": attempt.percent_agreement,
        "bar": attempt.bar,
        "ratings": ratings,
    }
    if attempt.passed:
        return ObserverCalibrated(**common, expires_on=attempt.expires_on)
    return ObserverCalibrationFailed(**common)


async def _append(
    runtime: Runtime,
    conn: Connection,
    principal: Principal,
    stream_id: str,
    event: DomainEvent,
    *,
    subject: str | None,
    practice_date: date,
) -> None:
    pending = PendingEvent(
        event=event,
        agency_id=principal.agency_id,
        subject=subject,
        occurred_at=as_practice_datetime(practice_date),
        actor=principal.actor,
    )
    await runtime.store.append(conn, stream_id=stream_id, events=[pending], expected_version=0)
