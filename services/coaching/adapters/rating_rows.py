"""The `ratings` projection: skill ratings as recorded, and reads of them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

import asyncpg

from services.coaching.domain.ratings import RatingSource, SkillRating
from services.coaching.domain.vocabulary import Competency, SkillLevel, SourceKind
from services.coaching.models.ratings import RatingPublic
from shared.database import Connection
from shared.listing import ListQuery
from shared.pagination import Page, PageRequest, build_page

_COLUMNS = (
    "rating_id, practitioner_id, rater_id, competency, level, rated_on, source_type,"
    " source_id, note, goals_achieved, recorded_at"
)


@dataclass(frozen=True)
class StoredRating:
    public: RatingPublic
    fingerprint: str


async def insert_rating(
    conn: Connection,
    agency_id: str,
    rating: SkillRating,
    goals_achieved: list[str],
    fingerprint: str,
) -> None:
    await conn.execute(
        f"INSERT INTO ratings (agency_id, {_COLUMNS}, fingerprint)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        agency_id,
        uuid.UUID(rating.rating_id),
        rating.practitioner_id,
        rating.rater_id,
        rating.competency.value,
        rating.level.value,
        rating.rated_on,
        rating.source.kind.value,
        rating.source.source_id,
        rating.note,
        goals_achieved,
        rating.recorded_at,
        fingerprint,
    )


async def find_rating(
    conn: Connection, agency_id: str, rating_id: uuid.UUID
) -> StoredRating | None:
    row = await conn.fetchrow(
        f"SELECT {_COLUMNS}, fingerprint FROM ratings WHERE agency_id = $1 AND rating_id = $2",
        agency_id,
        rating_id,
    )
    return StoredRating(_public(row), row["fingerprint"]) if row else None


async def list_ratings(
    conn: Connection,
    agency_id: str,
    page: PageRequest,
    *,
    practitioner_id: str | None,
    competency: Competency | None,
) -> Page[RatingPublic]:
    """Latest first: by `rated_on` descending, then id."""
    query = (
        ListQuery(agency_id)
        .when(practitioner_id, "practitioner_id = {}")
        .when(competency.value if competency else None, "competency = {}")
        .after(page, "(rated_on, rating_id) <", ("date", "uuid"))
    )
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM ratings WHERE {query.where()}"
        f" ORDER BY rated_on DESC, rating_id DESC {query.limit(page)}",
        *query.params,
    )
    return build_page(
        [_public(r) for r in rows], page.limit, lambda r: [r.rated_on.isoformat(), str(r.id)]
    )


async def ratings_of(
    conn: Connection, agency_id: str, practitioner_id: str, as_of: date
) -> list[SkillRating]:
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM ratings"
        " WHERE agency_id = $1 AND practitioner_id = $2 AND rated_on <= $3",
        agency_id,
        practitioner_id,
        as_of,
    )
    return [
        SkillRating(
            rating_id=str(r["rating_id"]),
            practitioner_id=r["practitioner_id"],
            rater_id=r["rater_id"],
            competency=Competency(r["competency"]),
            level=SkillLevel(r["level"]),
            rated_on=r["rated_on"],
            recorded_at=r["recorded_at"],
            source=RatingSource(kind=SourceKind(r["source_type"]), source_id=r["source_id"]),
            note=r["note"],
        )
        for r in rows
    ]


def _public(row: asyncpg.Record) -> RatingPublic:
    return RatingPublic(
        id=row["rating_id"],
        rater_id=row["rater_id"],
        practitioner_id=row["practitioner_id"],
        competency=row["competency"],
        level=row["level"],
        rated_on=row["rated_on"],
        source_type=row["source_type"],
        source_id=row["source_id"],
        note=row["note"],
        goals_achieved=row["goals_achieved"],
        recorded_at=row["recorded_at"],
    )
