"""Inter-rater reliability reports from co-observations, per agency and per observer pair."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import asyncpg

from services.fidelity.adapters.comparison_rows import ComparisonFilter, compared_ratings
from services.fidelity.domain.reliability import RaterPair, pair_ratings, reliability_report
from services.fidelity.domain.scoring import Rating
from services.fidelity.models.reliability import (
    AgencyReliability,
    ComparisonOut,
    ObserverPairReliability,
    ObserverPairSummary,
    ReliabilitySummary,
)
from shared.problems import NotFound, Unprocessable
from shared.service import Runtime


def _rater_pair(row: asyncpg.Record) -> RaterPair:
    first = {i: Rating(r) for i, r in row["first_ratings"].items()}
    second = {i: Rating(r) for i, r in row["second_ratings"].items()}
    return RaterPair(label=str(row["observation_id"]), pairs=tuple(pair_ratings(first, second)))


def _summary(rows: Sequence[asyncpg.Record]) -> ReliabilitySummary:
    report = reliability_report([_rater_pair(r) for r in rows])
    return ReliabilitySummary(
        meeting_count=report.pair_count,
        rating_count=report.rating_count,
        percent_agreement=report.pooled.percent_agreement,
        kappa=report.pooled.kappa,
        mean_kappa=report.mean_kappa,
    )


def _by_observer_pair(
    rows: Sequence[asyncpg.Record],
) -> dict[tuple[str, str], list[asyncpg.Record]]:
    groups: dict[tuple[str, str], list[asyncpg.Record]] = defaultdict(list)
    for row in rows:
        a, b = sorted((row["first_observer_id"], row["second_observer_id"]))
        groups[(a, b)].append(row)
    return dict(sorted(groups.items()))


async def _rows(runtime: Runtime, agency_id: str, where: ComparisonFilter) -> list[asyncpg.Record]:
    if where.meeting_from and where.meeting_to and where.meeting_from > where.meeting_to:
        raise Unprocessable("meeting_from is after meeting_to; swap them")
    async with runtime.pool.acquire() as conn:
        return await compared_ratings(conn, agency_id, where)


async def agency_reliability(
    runtime: Runtime, agency_id: str, where: ComparisonFilter
) -> AgencyReliability:
    rows = await _rows(runtime, agency_id, where)
    if not rows:
        return AgencyReliability(agency=None, observer_pairs=[])
    return AgencyReliability(
        agency=_summary(rows),
        observer_pairs=[
            ObserverPairSummary(observer_ids=list(pair), summary=_summary(group))
            for pair, group in _by_observer_pair(rows).items()
        ],
    )


async def observer_pair_reliability(
    runtime: Runtime, agency_id: str, where: ComparisonFilter
) -> ObserverPairReliability:
    assert where.observer_id is not None and where.other_observer_id is not None
    if where.observer_id == where.other_observer_id:
        raise Unprocessable("name two different observers")
    rows = await _rows(runtime, agency_id, where)
    if not rows:
        raise NotFound(
            f"observers {where.observer_id!r} and {where.other_observer_id!r} have not "
            "co-observed a meeting (with these filters) in this agency"
        )
    return ObserverPairReliability(
        observer_ids=sorted((where.observer_id, where.other_observer_id)),
        summary=_summary(rows),
        comparisons=[ComparisonOut.model_validate(dict(r)) for r in rows],
    )
