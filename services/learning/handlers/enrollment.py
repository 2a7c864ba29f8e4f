"""Enroll a practitioner in the program: the date counts for tenure."""

from __future__ import annotations

from services.learning.adapters import projections, queries
from services.learning.adapters.learner_stream import (
    append_to_learner,
    load_learner,
    lock_learner,
)
from services.learning.domain.events import PractitionerEnrolled
from services.learning.handlers.context import LEARNING
from services.learning.handlers.recorded import Recorded, pending_event, writing
from services.learning.models.commands import EnrollPractitioner
from services.learning.models.records import EnrollmentRecord
from shared.database import Connection
from shared.idempotency_keys import minted_id
from shared.practice_time import as_practice_datetime, refuse_future
from shared.problems import Conflict
from shared.roster import require_on_roster
from shared.service import Runtime


async def enroll_practitioner(
    runtime: Runtime,
    conn: Connection,
    agency_id: str,
    actor: str,
    command: EnrollPractitioner,
) -> Recorded[EnrollmentRecord]:
    """Start a learner; a practitioner is enrolled once (an identical retry returns it)."""
    learning = LEARNING.of(runtime)
    version = command.catalog_version or learning.catalogs.current_version
    learning.catalogs.get(version)
    refuse_future(command.enrolled_on, "enrolled_on", now=learning.clock())

    await lock_learner(conn, agency_id, command.practitioner_id)
    existing = await queries.find_enrollment(conn, agency_id, command.practitioner_id)
    if existing is not None:
        if _same(existing, command, version):
            return Recorded(existing, created=False)
        raise Conflict(
            f"practitioner {command.practitioner_id!r} is already enrolled "
            f"(on {existing.enrolled_on}, catalog {existing.catalog_version}, id {existing.id}); "
            "an enrollment is not changed by enrolling again"
        )
    if command.id is not None and await queries.find_enrollment_by_id(conn, agency_id, command.id):
        raise Conflict(f"enrollment id {command.id} is already used for another practitioner")
    await require_on_roster(conn, agency_id, [command.practitioner_id], command.enrolled_on)

    learner = await load_learner(learning, conn, agency_id, command.practitioner_id)
    event = PractitionerEnrolled(
        practitioner_id=command.practitioner_id,
        enrolled_on=command.enrolled_on,
        catalog_version=version,
    )
    enrollment_id = minted_id(command.id)
    async with writing(conn):
        [stored] = await append_to_learner(
            learning,
            conn,
            learner,
            [
                pending_event(
                    event,
                    agency_id=agency_id,
                    subject=command.practitioner_id,
                    actor=actor,
                    occurred_at=as_practice_datetime(command.enrolled_on),
                    enrollment_id=str(enrollment_id),
                )
            ],
        )
        record = EnrollmentRecord(
            id=enrollment_id,
            practitioner_id=command.practitioner_id,
            enrolled_on=command.enrolled_on,
            catalog_version=version,
            recorded_at=stored.recorded_at,
        )
        await projections.insert_learner(conn, agency_id, record)
        for hook in learning.on_enrolled:
            await hook(runtime, conn, agency_id, command.practitioner_id)
    return Recorded(record, created=True)


def _same(existing: EnrollmentRecord, command: EnrollPractitioner, version: str) -> bool:
    return (
        (command.id is None or command.id == existing.id)
        and existing.enrolled_on == command.enrolled_on
        and existing.catalog_version == version
    )
