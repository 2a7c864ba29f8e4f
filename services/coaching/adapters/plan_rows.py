"""The `plans` projection: one row per practitioner's plan, its goals as JSON."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import asyncpg

from services.coaching.domain.history import goal_snapshot
from services.coaching.domain.plans import CoachingPlan
from services.coaching.models.plans import GoalPublic, PlanPublic
from shared.database import Connection
from shared.listing import ListQuery
from shared.pagination import Page, PageRequest, build_page

_COLUMNS = "plan_id, practitioner_id, goals, updated_at"


@dataclass(frozen=True)
class StoredPlan:
    public: PlanPublic
    fingerprint: str


async def insert_plan(
    conn: Connection, agency_id: str, plan: CoachingPlan, fingerprint: str
) -> None:
    await conn.execute(
        "INSERT INTO plans (agency_id, plan_id, practitioner_id, goals, fingerprint)"
        " VALUES ($1, $2, $3, $4, $5)",
        agency_id,
        uuid.UUID(plan.plan_id),
        plan.practitioner_id,
        _goals_json(plan),
        fingerprint,
    )


async def update_plan_goals(conn: Connection, agency_id: str, plan: CoachingPlan) -> None:
    await conn.execute(
        "UPDATE plans SET goals = $3, updated_at = now() WHERE agency_id = $1 AND plan_id = $2",
        agency_id,
        uuid.UUID(plan.plan_id),
        _goals_json(plan),
    )


async def find_plan(conn: Connection, agency_id: str, plan_id: uuid.UUID) -> StoredPlan | None:
    row = await conn.fetchrow(
        f"SELECT {_COLUMNS}, fingerprint FROM plans WHERE agency_id = $1 AND plan_id = $2",
        agency_id,
        plan_id,
    )
    return StoredPlan(_public(row), row["fingerprint"]) if row else None


async def list_plans(
    conn: Connection, agency_id: str, page: PageRequest, *, practitioner_id: str | None
) -> Page[PlanPublic]:
    """By practitioner id (one plan each)."""
    query = (
        ListQuery(agency_id)
        .when(practitioner_id, "practitioner_id = {}")
        .after(page, "practitioner_id >", ("text",))
    )
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM plans WHERE {query.where()}"
        f" ORDER BY practitioner_id {query.limit(page)}",
        *query.params,
    )
    return build_page([_public(r) for r in rows], page.limit, lambda p: [p.practitioner_id])


def _goals_json(plan: CoachingPlan) -> list[dict[str, Any]]:
    return [goal_snapshot(g).model_dump(mode="json") for g in plan.goals]


def _public(row: asyncpg.Record) -> PlanPublic:
    return PlanPublic(
        id=row["plan_id"],
        practitioner_id=row["practitioner_id"],
        goals=[
            GoalPublic(
                id=g["goal_id"],
                competency=g["competency"],
                target_level=g["target_level"],
                description=g["description"],
                status=g["status"],
                closed_on=g["closed_on"],
                achieved_by_rating_id=g["achieved_by_rating_id"],
            )
            for g in row["goals"]
        ],
        updated_at=row["updated_at"],
    )
