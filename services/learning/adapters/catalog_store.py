"""Catalog versions in PostgreSQL: seeded once, read into memory at start-up."""

from __future__ import annotations

from services.learning.domain.catalog import Catalog
from services.learning.domain.catalog_book import CatalogBook
from services.learning.domain.seed_catalog import SEED_CATALOG
from shared.database import Pool


async def seed_catalogs(pool: Pool) -> None:
    """Store the seed catalog if absent; a stored version is never rewritten."""
    async with pool.acquire() as conn:
        await conn.execute(
            "INSERT INTO catalogs (version, content) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            SEED_CATALOG.version,
            SEED_CATALOG.model_dump(mode="json"),
        )


async def load_catalogs(pool: Pool, current_version: str) -> CatalogBook:
    async with pool.acquire() as conn:
        rows = await conn.fetch("SELECT content FROM catalogs ORDER BY version")
    return CatalogBook.of((Catalog.model_validate(r["content"]) for r in rows), current_version)
