"""The learning-culture views: the agency's, and one supervisor's team."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, timedelta

from services.coaching.adapters.culture_rows import (
    peer_sessions_held_between,
    reflections_written_between,
)
from services.coaching.adapters.session_rows import sessions_held_between
from services.coaching.adapters.team_rows import roster
from services.coaching.domain.culture import PeerLearningSession, Reflection
from services.coaching.domain.culture_indicators import (
    PEER_LEARNING_DAYS,
    REFLECTION_DAYS,
    CultureIndicators,
    RosterMember,
    culture_indicators,
    team_culture_indicators,
)
from services.coaching.domain.sessions import CoachingSession
from services.coaching.handlers.teams import read_team
from services.coaching.models.indicators import CultureIndicatorsPublic
from services.coaching.permissions import ADMIN, AUDITOR
from shared.auth import Principal
from shared.problems import Forbidden
from shared.service import Runtime

# The coaching window is the 12 calendar months ending with as_of's month: never more
# than 366 + 31 days back. Loading a little more is harmless; the domain filters.
COACHING_LOOKBACK = timedelta(days=400)


@dataclass(frozen=True)
class CultureRecords:
    """What the indicators are computed from, loaded for one agency around `as_of`."""

    roster: list[RosterMember]
    coaching_sessions: list[CoachingSession]
    peer_sessions: list[PeerLearningSession]
    reflections: list[Reflection]


async def agency_view(
    runtime: Runtime, principal: Principal, as_of: date
) -> CultureIndicatorsPublic:
    records = await _records(runtime, principal.agency_id, as_of)
    indicators = culture_indicators(
        roster=records.roster,
        coaching_sessions=records.coaching_sessions,
        peer_sessions=records.peer_sessions,
        reflections=records.reflections,
        as_of=as_of,
    )
    return _public(indicators, scope="agency", supervisor_id=None)


async def team_view(
    runtime: Runtime, principal: Principal, team_id: str, as_of: date
) -> CultureIndicatorsPublic:
    """A supervisor sees their own team (its id is theirs); admins and auditors any team.
    The team is the roster's on `as_of`."""
    if not principal.has_any({ADMIN, AUDITOR}) and principal.subject != team_id:
        raise Forbidden(
            f"a supervisor sees the culture of their own team; ask for "
            f"/culture/teams/{principal.subject}"
        )
    team = await read_team(runtime, principal, team_id, as_of)
    records = await _records(runtime, principal.agency_id, as_of)
    indicators = team_culture_indicators(
        team=team.practitioner_ids,
        roster=records.roster,
        coaching_sessions=records.coaching_sessions,
        peer_sessions=records.peer_sessions,
        reflections=records.reflections,
        as_of=as_of,
    )
    return _public(indicators, scope="team", supervisor_id=team_id)


async def _records(runtime: Runtime, agency_id: str, as_of: date) -> CultureRecords:
    async with runtime.pool.acquire() as conn:
        return CultureRecords(
            roster=await roster(conn, agency_id),
            coaching_sessions=await sessions_held_between(
                conn, agency_id, as_of - COACHING_LOOKBACK, as_of
            ),
            peer_sessions=await peer_sessions_held_between(
                conn, agency_id, as_of - timedelta(days=PEER_LEARNING_DAYS), as_of
            ),
            reflections=await reflections_written_between(
                conn, agency_id, as_of - timedelta(days=REFLECTION_DAYS), as_of
            ),
        )


def _public(
    indicators: CultureIndicators, *, scope: str, supervisor_id: str | None
) -> CultureIndicatorsPublic:
    return CultureIndicatorsPublic.model_validate(
        asdict(indicators) | {"scope": scope, "supervisor_id": supervisor_id}
    )
