"""The status projections: published transitions, and each practitioner's latest evaluation."""

from __future__ import annotations

from datetime import date

from services.certification.domain.publication import Announced
from services.certification.domain.state import CertificationState
from services.certification.domain.transitions import (
    CertificationStatus,
    Transition,
    TransitionKind,
)
from shared.database import Connection


async def announced(conn: Connection, agency_id: str, practitioner_id: str) -> list[Announced]:
    """The transition events published (or settled) for a practitioner, in order."""
    rows = await conn.fetch(
        """
        SELECT event_id, level_key, kind, effective_on, from_status, to_status, correction,
            retracted_by, explanation, published,
            coalesce(true_effective_on, effective_on) AS true_effective_on
        FROM transitions WHERE agency_id = $1 AND practitioner_id = $2 ORDER BY position
        """,
        agency_id,
        practitioner_id,
    )
    return [
        Announced(
            event_id=str(row["event_id"]),
            transition=Transition(
                level_key=row["level_key"],
                kind=TransitionKind(row["kind"]),
                on=row["true_effective_on"],
                from_status=CertificationStatus(row["from_status"]),
                to_status=CertificationStatus(row["to_status"]),
                reasons=tuple(row["explanation"]["reasons"]),
                evidence_ids=tuple(row["explanation"]["evidence_ids"]),
            ),
            correction=row["correction"],
            retracted=row["retracted_by"] is not None,
            published=row["published"],
            effective_on=row["effective_on"],
        )
        for row in rows
    ]


async def save_evaluation(
    conn: Connection,
    agency_id: str,
    state: CertificationState,
    next_change_on: date | None,
) -> None:
    """Replace the practitioner's status rows with those of ``state``."""
    practitioner_id = state.practitioner_id
    await conn.execute(
        """
        INSERT INTO evaluations (agency_id, practitioner_id, policy_id, policy_version, as_of,
            next_change_on)
        VALUES ($1, $2, $3, $4, $5, $6)
        ON CONFLICT (agency_id, practitioner_id) DO UPDATE SET policy_id = excluded.policy_id,
            policy_version = excluded.policy_version, as_of = excluded.as_of,
            next_change_on = excluded.next_change_on
        """,
        agency_id,
        practitioner_id,
        state.policy_id,
        state.policy_version,
        state.as_of,
        next_change_on,
    )
    await conn.execute(
        "DELETE FROM level_statuses WHERE agency_id = $1 AND practitioner_id = $2",
        agency_id,
        practitioner_id,
    )
    await conn.executemany(
        """
        INSERT INTO level_statuses (agency_id, practitioner_id, level_key, ordinal, status,
            since, certified_on, at_risk_since)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
        """,
        [
            (
                agency_id,
                practitioner_id,
                level.level_key,
                ordinal,
                level.status.value,
                level.since,
                level.certified_on,
                level.at_risk_since,
            )
            for ordinal, level in enumerate(state.levels)
        ],
    )


async def due_for_clock(conn: Connection, today: date, limit: int) -> list[tuple[str, str]]:
    """(agency, practitioner) pairs whose status time may have moved by ``today``."""
    rows = await conn.fetch(
        """
        SELECT agency_id, practitioner_id FROM evaluations
        WHERE next_change_on <= $1 AND as_of < $1
        ORDER BY next_change_on, agency_id, practitioner_id LIMIT $2
        """,
        today,
        limit,
    )
    return [(row["agency_id"], row["practitioner_id"]) for row in rows]
