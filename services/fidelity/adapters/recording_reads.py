"""What recording an observation reads, in one round trip instead of two.

Whether the practitioner is on the roster on the meeting date (the kernel's roster copy,
`shared/roster.py`) and the observer's calibration attempts up to that date
(`calibration_rows.calibration_history`): both change while the service runs, so both
are read fresh with every observation, just together.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.fidelity.adapters.calibration_rows import attempt_from_row
from services.fidelity.domain.calibration import CalibrationAttempt
from shared.database import Connection
from shared.roster import ON_ROSTER_OF

_ROSTER_AND_ATTEMPTS = f"""
    SELECT EXISTS ({ON_ROSTER_OF}) AS on_roster,
           a.id, a.observer_id, a.reference_id, a.attempted_on, a.kappa,
           a.percent_agreement, a.bar, a.passed, r.instrument_key
    FROM (SELECT) AS one
    LEFT JOIN (calibration_attempts a
               JOIN calibration_references r
                 ON r.agency_id = a.agency_id AND r.id = a.reference_id)
      ON a.agency_id = $1 AND a.observer_id = $4 AND a.attempted_on <= $2
"""


@dataclass(frozen=True, slots=True)
class RecordingReads:
    practitioner_on_roster: bool
    observer_attempts: list[CalibrationAttempt]


async def roster_and_attempts(
    conn: Connection, agency_id: str, practitioner_id: str, observer_id: str, on: date
) -> RecordingReads:
    """Is `practitioner_id` on the roster on `on`, and `observer_id`'s attempts up to it."""
    rows = await conn.fetch(_ROSTER_AND_ATTEMPTS, agency_id, on, practitioner_id, observer_id)
    return RecordingReads(
        practitioner_on_roster=rows[0]["on_roster"],
        observer_attempts=[attempt_from_row(r) for r in rows if r["id"] is not None],
    )
