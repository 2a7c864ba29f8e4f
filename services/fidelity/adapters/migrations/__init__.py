"""The fidelity schema's Alembic revisions, oldest first (docs/migrations.md)."""
