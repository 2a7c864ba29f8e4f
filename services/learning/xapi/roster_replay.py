"""Statements that waited for their learner to be on the roster count once they are.

A Statement whose learner is not on the agency's roster is stored and waits (pending,
`learner`). When the roster copy hears that the practitioner was registered, their
pending Statements are judged again. If the LMS already reported learning for them and
they are not enrolled, the roster's program start enrolls them (as an enrollment would,
which judges their Statements again), so the Statements become evidence on
registration.
"""

from __future__ import annotations

from pydantic import ValidationError

from services.learning.adapters import queries
from services.learning.domain.errors import LearningDomainError
from services.learning.handlers.enrollment import enroll_practitioner
from services.learning.models.commands import EnrollPractitioner
from shared.database import Connection
from shared.practice_time import now_utc
from shared.problems import Problem
from shared.roster import entries_on
from shared.service import Runtime

from .evidence_recording import reevaluate_for_practitioner

ROSTER_ACTOR = "roster"  # the actor is `<agency>/roster`: the roster enrolled them


async def replay_on_registration(
    runtime: Runtime, conn: Connection, agency_id: str, practitioner_id: str
) -> None:
    outcomes = await reevaluate_for_practitioner(runtime, conn, agency_id, practitioner_id)
    waiting = any(
        o.outcome == "pending" and o.reason_code == "learner" and o.practitioner_id
        for o in outcomes
    )
    if not waiting or await queries.find_enrollment(conn, agency_id, practitioner_id):
        return
    entry = (await entries_on(conn, agency_id, now_utc().date(), [practitioner_id])).get(
        practitioner_id
    )
    if entry is None:
        return
    try:
        async with conn.transaction():  # refused (a program start ahead): they wait
            await enroll_practitioner(
                runtime,
                conn,
                agency_id,
                f"{agency_id}/{ROSTER_ACTOR}",
                EnrollPractitioner(
                    practitioner_id=practitioner_id, enrolled_on=entry.program_start
                ),
            )
    except (Problem, LearningDomainError, ValidationError):
        return
