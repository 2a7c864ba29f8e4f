"""Co-observation: a second observer scores the same meeting; compare the two.

The second observation names the first in `co_observation_of`. Both must be of the same
meeting: same practitioner, meeting date and instrument version, different observers.
Links always point at the first observation, so a meeting's observers form one group.
"""

from __future__ import annotations

import asyncpg

from services.fidelity.adapters.observation_rows import find_observation, observers_of_meeting
from services.fidelity.domain.events import CoObservationCompared, ObservationRecorded
from services.fidelity.domain.reliability import measure_agreement, pair_ratings
from services.fidelity.domain.scoring import Rating
from services.fidelity.models.observations import ObservationCreate
from shared.database import Connection
from shared.problems import Conflict, Unprocessable

_SAME_MEETING = ("practitioner_id", "meeting_date", "instrument_key", "instrument_version")


async def first_observation_of_meeting(
    conn: Connection, agency_id: str, body: ObservationCreate, observer_id: str
) -> asyncpg.Record:
    """The observation `body` co-observes, checked to be the same meeting."""
    assert body.co_observation_of is not None
    first = await find_observation(conn, agency_id, body.co_observation_of)
    if first is None:
        raise Unprocessable(
            f"co_observation_of {body.co_observation_of} is not an observation of this agency"
        )
    if first["source"] == "paper":
        raise Unprocessable(
            f"co_observation_of {body.co_observation_of} is a paper record imported without "
            "indicator ratings, so no agreement can be measured against it; record this "
            "observation on its own (leave co_observation_of out)"
        )
    if first["co_observation_of"] is not None:
        raise Unprocessable(
            f"co_observation_of {body.co_observation_of} is itself a co-observation; "
            f"link to the meeting's first observation, {first['co_observation_of']}"
        )
    differing = [f for f in _SAME_MEETING if getattr(body, f) != first[f]]
    if differing:
        expected = ", ".join(f"{f}={first[f]}" for f in _SAME_MEETING)
        raise Unprocessable(
            f"a co-observation scores the same meeting as {body.co_observation_of} "
            f"({expected}); yours differs in {', '.join(differing)}"
        )
    if observer_id in await observers_of_meeting(conn, agency_id, body.co_observation_of):
        raise Conflict(
            f"observer {observer_id!r} has already scored this meeting; a co-observation "
            "needs a second, different observer"
        )
    return first


def compare_with_first(
    first: asyncpg.Record, recorded: ObservationRecorded, ratings: dict[str, Rating]
) -> CoObservationCompared:
    first_ratings = {i: Rating(r) for i, r in first["ratings"].items()}
    agreement = measure_agreement(pair_ratings(first_ratings, ratings))
    return CoObservationCompared(
        observation_id=recorded.observation_id,
        co_observation_of=str(first["id"]),
        practitioner_id=recorded.practitioner_id,
        first_observer_id=first["observer_id"],
        second_observer_id=recorded.observer_id,
        instrument_key=recorded.instrument_key,
        instrument_version=recorded.instrument_version,
        meeting_date=recorded.meeting_date,
        indicator_count=agreement.n,
        percent_agreement=agreement.percent_agreement,
        expected_agreement=agreement.expected,
        kappa=agreement.kappa,
    )
