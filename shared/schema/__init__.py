"""Declared schemas (SQLModel models) and their Alembic migrations (docs/migrations.md)."""
