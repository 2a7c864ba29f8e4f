"""The kernel-only schema's Alembic revisions (a process with no tables of its own)."""
