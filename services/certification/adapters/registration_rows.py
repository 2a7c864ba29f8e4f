"""A registration's projection rows and its evaluation's read, in one round trip.

Registering writes the `practitioners` row and its history row (`roster_projection`)
and the evidence row of the enrollment, then evaluates the practitioner, which reads
the agency's policy, its open import window and the practitioner's evidence
(`evaluation_reads`). One statement does all of it: the read sees the evidence as it
was before the enrollment (one snapshot), and the caller adds the enrollment, which it
holds, to what was read. The rows are those `projector.project` writes for the same
events (a rebuild writes them again from the log: tests compare both).
"""

from __future__ import annotations

from services.certification.adapters.evaluation_reads import EvaluationInputs, evaluation_inputs
from services.certification.adapters.projector import evidence_row
from services.certification.adapters.roster_projection import (
    registration_ctes,
    registration_values,
)
from shared.database import Connection
from shared.events import StoredEvent

# after the read's four parameters: the registration's eighteen, then the evidence row's
_REGISTRATION_FIRST = 5
_EVIDENCE_FIRST = _REGISTRATION_FIRST + 18
_E = [f"${_EVIDENCE_FIRST + i}" for i in range(8)]
_ENROLLED = f"""
    enrolled AS (
        INSERT INTO evidence (agency_id, event_id, practitioner_id, kind, occurred_on,
            source, item, position)
        VALUES ({_E[0]}::text, {_E[1]}::text, {_E[2]}::text, {_E[3]}::text,
            {_E[4]}::text::date, {_E[5]}::text, {_E[6]}::jsonb, {_E[7]}::bigint)
        ON CONFLICT DO NOTHING
    )
"""

_WRITES = f"{registration_ctes(_REGISTRATION_FIRST)}, {_ENROLLED}"


async def store_registration(
    conn: Connection, registered: StoredEvent, enrolled: StoredEvent
) -> EvaluationInputs:
    """Project `practitioner_registered` and its enrollment's `evidence_received`, and
    read what evaluating the practitioner needs, with the evidence known before these."""
    practitioner_id = registered.data["practitioner_id"]
    return await evaluation_inputs(
        conn,
        registered.agency_id,
        [practitioner_id],
        with_evidence=True,
        along=_WRITES,
        along_args=[*registration_values(registered), *evidence_row(enrolled)],
    )
