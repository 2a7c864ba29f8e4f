"""What re-evaluating an agency's practitioners reads about the agency, in one round trip.

The policy it adopted (`policy_rows`) and its open import window, if any
(`window_rows`): both change while the service runs (a new adoption, a window opened or
closed), so both are read fresh at every evaluation, just together.
"""

from __future__ import annotations

from services.certification.adapters.policy_rows import ADOPTED, adopted_from
from services.certification.domain.policy import Policy
from shared.database import Connection

_POLICY_AND_WINDOW = f"""
    SELECT (SELECT window_id FROM import_windows
            WHERE agency_id = $1 AND closed_at IS NULL LIMIT 1) AS open_window_id,
           adopted.*
    FROM (SELECT) AS one LEFT JOIN LATERAL ({ADOPTED}) AS adopted ON true
"""


async def policy_and_open_window(conn: Connection, agency_id: str) -> tuple[Policy, str | None]:
    """The agency's adopted policy now and its open import window's id (None: none open)."""
    row = await conn.fetchrow(_POLICY_AND_WINDOW, agency_id, None)
    assert row is not None  # one row, whatever the agency holds
    return adopted_from(agency_id, row), row["open_window_id"]
