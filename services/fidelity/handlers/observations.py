"""Use cases of observations: record one (scored, compared, calibrated, drift), read them."""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractAsyncContextManager
from typing import Any

import asyncpg
from pydantic import TypeAdapter

from services.fidelity.adapters.comparison_rows import insert_comparison
from services.fidelity.adapters.observation_rows import find_observation, observation_row
from services.fidelity.adapters.recording_reads import roster_and_attempts
from services.fidelity.config import fidelity_settings
from services.fidelity.domain.calibration import calibration_status_on
from services.fidelity.domain.events import CoObservationCompared, ObservationRecorded
from services.fidelity.domain.recorded import observation_recorded
from services.fidelity.domain.scoring import rating_values, score_valid_ratings, validate_ratings
from services.fidelity.domain.trend import ObservationScore
from services.fidelity.handlers.co_observation import (
    compare_with_first,
    first_observation_of_meeting,
)
from services.fidelity.handlers.drift import drift_lock, record_new_drift
from services.fidelity.handlers.instruments import published_instruments
from services.fidelity.handlers.observers import acting_observer
from services.fidelity.models.observations import (
    AgreementOut,
    ObservationCreate,
    ObservationPublic,
    canonical_ratings,
    rating_pairs,
)
from shared.auth import Principal
from shared.database import Connection
from shared.events import DomainEvent, PendingEvent
from shared.idempotency import create_once, fingerprint
from shared.idempotency_keys import minted_id
from shared.naming import stream_id
from shared.practice_time import as_practice_datetime, refuse_future
from shared.problems import Unprocessable
from shared.roster import require_on_roster
from shared.service import Runtime
from shared.transactions import AdvisoryLock, locked_transaction

_JSON_OBJECT: TypeAdapter[dict[str, Any]] = TypeAdapter(dict[str, Any])

# an observation as `observation_public` reads it: a stored row, or one just built
StoredObservation = asyncpg.Record | Mapping[str, Any]


def with_comparison(
    row: Mapping[str, Any], compared: CoObservationCompared | None
) -> dict[str, Any]:
    """A just-inserted observation row as `find_observation` reads it (with its comparison)."""
    return {
        **row,
        "first_observer_id": compared.first_observer_id if compared else None,
        "second_observer_id": compared.second_observer_id if compared else None,
        "indicator_count": compared.indicator_count if compared else None,
        "percent_agreement": compared.percent_agreement if compared else None,
        "expected_agreement": compared.expected_agreement if compared else None,
        "kappa": compared.kappa if compared else None,
    }


def observation_public(row: StoredObservation) -> ObservationPublic:
    agreement = None
    if row["co_observation_of"] is not None and row["kappa"] is not None:
        agreement = AgreementOut(
            observation_id=str(row["id"]),
            co_observation_of=str(row["co_observation_of"]),
            first_observer_id=row["first_observer_id"],
            second_observer_id=row["second_observer_id"],
            indicator_count=row["indicator_count"],
            percent_agreement=row["percent_agreement"],
            expected_agreement=row["expected_agreement"],
            kappa=row["kappa"],
        )
    # the ratings as plain pairs: validated into models in one call, not one call each
    ratings = [{"indicator_id": i, "rating": r} for i, r in row["ratings"].items()]
    return ObservationPublic.model_validate({**row, "ratings": ratings, "agreement": agreement})


def new_observation_json(row: StoredObservation) -> bytes:
    """`observation_public(row)` as the route answers it (its JSON), for the row a
    recording has just built (`with_comparison`): written straight from values of the
    reply's own types, where validating them into the models again would cost more than
    recording the observation's rows. Tests compare both for the same rows."""
    agreement = None
    if row["co_observation_of"] is not None and row["kappa"] is not None:
        agreement = {
            "observation_id": str(row["id"]),
            "co_observation_of": str(row["co_observation_of"]),
            "first_observer_id": row["first_observer_id"],
            "second_observer_id": row["second_observer_id"],
            "indicator_count": row["indicator_count"],
            "percent_agreement": row["percent_agreement"],
            "expected_agreement": row["expected_agreement"],
            "kappa": row["kappa"],
        }
    return _JSON_OBJECT.dump_json(
        {
            "id": row["id"],
            "practitioner_id": row["practitioner_id"],
            "observer_id": row["observer_id"],
            "instrument_key": row["instrument_key"],
            "instrument_version": row["instrument_version"],
            "instrument_kind": row["instrument_kind"],
            "meeting_date": row["meeting_date"],
            "setting": row["setting"],
            "total": row["total"],
            "band": row["band"],
            "domain_scores": row["domain_scores"],
            "item_scores": row["item_scores"],
            "ratings": [{"indicator_id": i, "rating": r} for i, r in row["ratings"].items()],
            "observer_calibrated": row["observer_calibrated"],
            "calibration_reason": row["calibration_reason"],
            "co_observation_of": row["co_observation_of"],
            "agreement": agreement,
            "recorded_at": row["recorded_at"],
            "recorded_by": row["recorded_by"],
            "imported": row["imported"],
            "source": row["source"],
        }
    )


async def record_observation(
    runtime: Runtime, principal: Principal, body: ObservationCreate
) -> tuple[StoredObservation, bool]:
    """Validate and score the ratings, then in one transaction: the observation_recorded
    event (and co_observation_compared for a second observer), the projection rows, and
    any drift the observation reveals. An invalid observation stores nothing.

    The observation as `observation_public` reads it, and whether it is new: a new one's
    is the row just built, a repeat's the stored row."""
    observer_id = acting_observer(principal, body.observer_id)
    if observer_id == body.practitioner_id:
        raise Unprocessable("observer_id and practitioner_id are the same; no one observes self")
    refuse_future(body.meeting_date, "meeting_date")
    agency, observation_id = principal.agency_id, minted_id(body.id)
    content = body.model_dump(mode="json", exclude={"id", "ratings", "observer_id"})
    content_hash = fingerprint(
        {**content, "observer_id": observer_id, "ratings": canonical_ratings(body.ratings)}
    )

    async def find() -> tuple[StoredObservation, str] | None:
        async with runtime.pool.acquire() as conn:
            row = await find_observation(conn, agency, observation_id)
        return (row, row["content_hash"]) if row else None

    async def create() -> StoredObservation:
        async with runtime.pool.acquire() as conn:
            instrument = await published_instruments(runtime).load(
                conn, agency, body.instrument_key, body.instrument_version
            )
            ratings = validate_ratings(instrument, rating_pairs(body.ratings))
            scored = score_valid_ratings(instrument, ratings)
            reads = await roster_and_attempts(
                conn, agency, body.practitioner_id, observer_id, body.meeting_date
            )
            if not reads.practitioner_on_roster:  # the refusal, naming why
                await require_on_roster(conn, agency, [body.practitioner_id], body.meeting_date)
            first = None
            if body.co_observation_of is not None:
                first = await first_observation_of_meeting(conn, agency, body, observer_id)
            calibration = calibration_status_on(
                reads.observer_attempts, observer_id, body.meeting_date, instrument.key
            )
            recorded = observation_recorded(
                observation_id=str(observation_id),
                practitioner_id=body.practitioner_id,
                observer_id=observer_id,
                meeting_date=body.meeting_date,
                setting=body.setting,
                instrument=instrument,
                scored=scored,
                observer_calibrated=calibration.calibrated,
                ratings=rating_values(ratings),
                co_observation_of=str(first["id"]) if first else None,
            )
            compared = compare_with_first(first, recorded, ratings) if first else None
            written = observation_row(
                agency,
                recorded,
                scored,
                calibration_reason=calibration.reason,
                content_hash=content_hash,
                recorded_by=principal.actor,
            )
            # a calibrated observer's first observation looks for drift under its lock:
            # the transaction begins holding it (one round trip, shared/transactions.py)
            drifting = calibration.calibrated and first is None
            stream = stream_id("observation", agency, str(observation_id))
            pending = _pending([recorded, compared], principal, recorded)
            if not drifting and compared is None and not conn.is_in_transaction():
                # its one event and row are all it writes: one statement, its own commit
                [stored] = await runtime.store.append_alone(
                    conn, stream, pending, expected_version=0, projected=written.projected
                )
                return with_comparison(written.stored(stored.recorded_at), None)
            held = [drift_lock(agency, body.practitioner_id, instrument.key)] if drifting else []
            async with _recording_transaction(conn, held):
                [stored, *_] = await runtime.store.append(
                    conn,
                    stream_id=stream,
                    events=pending,
                    expected_version=0,
                    projected=written.projected,
                )
                row = written.stored(stored.recorded_at)
                if compared is not None:
                    await insert_comparison(conn, agency, compared)
                if drifting:
                    await record_new_drift(
                        conn,
                        runtime.store,
                        principal,
                        practitioner_id=body.practitioner_id,
                        instrument_key=instrument.key,
                        new=ObservationScore.from_scored(
                            str(observation_id), body.meeting_date, scored
                        ),
                        thresholds=fidelity_settings(runtime).drift_thresholds,
                    )
        return with_comparison(row, compared)

    # the append below (expected_version=0 on the observation's stream) refuses a twin
    return await create_once(
        what=f"observation {observation_id}",
        find=find,
        create=create,
        content_hash=content_hash,
        find_first=False,
    )


def _pending(
    events: list[ObservationRecorded | CoObservationCompared | None],
    principal: Principal,
    recorded: ObservationRecorded,
) -> list[PendingEvent]:
    present: list[DomainEvent] = [e for e in events if e is not None]
    return [
        PendingEvent(
            event=event,
            agency_id=principal.agency_id,
            subject=recorded.practitioner_id,
            occurred_at=as_practice_datetime(recorded.meeting_date),
            actor=principal.actor,
        )
        for event in present
    ]


def _recording_transaction(
    conn: Connection, held: list[AdvisoryLock]
) -> AbstractAsyncContextManager[Any]:
    """The recording's transaction, begun holding `held` when it is the outermost one (a
    batch that records inside its own transaction takes the locks as it goes)."""
    if held and not conn.is_in_transaction():
        return locked_transaction(conn, held)
    return conn.transaction()
