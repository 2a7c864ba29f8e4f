"""Record a historical observation imported from paper: scores kept, marked as imported.

Like a live observation it becomes `observation_recorded` on the same stream and in the
same projection, so reads, trends and certification see it; it carries `imported: true`
and `source: paper`, no ratings, no item scores, and it is neither compared with a
co-observer nor checked for drift (no indicators to compare).
"""

from __future__ import annotations

from services.fidelity.adapters.observation_rows import find_observation, observation_row
from services.fidelity.domain.paper_scores import score_paper_observation
from services.fidelity.domain.recorded import observation_recorded
from services.fidelity.handlers.calibration import status_on
from services.fidelity.handlers.instruments import load_instrument
from services.fidelity.handlers.observations import observation_public
from services.fidelity.handlers.observers import acting_observer
from services.fidelity.models.observations import ObservationPublic
from services.fidelity.models.paper_observations import PaperObservationCreate
from shared.auth import Principal
from shared.events import PendingEvent
from shared.idempotency import create_once, fingerprint
from shared.naming import stream_id
from shared.practice_time import as_practice_datetime, refuse_future
from shared.problems import Unprocessable
from shared.roster import require_on_roster
from shared.service import Runtime


async def record_paper_observation(
    runtime: Runtime, principal: Principal, body: PaperObservationCreate
) -> tuple[ObservationPublic, bool]:
    observer_id = acting_observer(principal, body.observer_id)
    if observer_id == body.practitioner_id:
        raise Unprocessable("observer_id and practitioner_id are the same; no one observes self")
    refuse_future(body.meeting_date, "meeting_date")
    agency, observation_id = principal.agency_id, body.id
    scores = sorted((d.domain_id, d.score) for d in body.domain_scores)
    content = body.model_dump(mode="json", exclude={"id", "observer_id", "domain_scores"})
    content_hash = fingerprint(
        {**content, "observer_id": observer_id, "domain_scores": scores, "source": "paper"}
    )

    async def find() -> tuple[ObservationPublic, str] | None:
        async with runtime.pool.acquire() as conn:
            row = await find_observation(conn, agency, observation_id)
        return (observation_public(row), row["content_hash"]) if row else None

    async def create() -> ObservationPublic:
        instrument = await load_instrument(
            runtime, agency, body.instrument_key, body.instrument_version
        )
        scored = score_paper_observation(instrument, scores, body.total)
        async with runtime.pool.acquire() as conn:
            await require_on_roster(conn, agency, [body.practitioner_id], body.meeting_date)
            calibration = await status_on(
                conn, agency, observer_id, body.meeting_date, instrument.key
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
                ratings={},
                from_paper=True,
            )
            written = observation_row(
                agency,
                recorded,
                scored,
                calibration_reason=calibration.reason,
                content_hash=content_hash,
                recorded_by=principal.actor,
            )
            async with conn.transaction():
                await runtime.store.append(
                    conn,
                    stream_id=stream_id("observation", agency, str(observation_id)),
                    events=[
                        PendingEvent(
                            event=recorded,
                            agency_id=agency,
                            subject=body.practitioner_id,
                            occurred_at=as_practice_datetime(body.meeting_date),
                            actor=principal.actor,
                        )
                    ],
                    expected_version=0,
                    projected=written.projected,
                )
                row = await find_observation(conn, agency, observation_id)
        assert row is not None
        return observation_public(row)

    return await create_once(
        what=f"observation {observation_id}", find=find, create=create, content_hash=content_hash
    )
