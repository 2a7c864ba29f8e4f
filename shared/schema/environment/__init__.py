"""Alembic's environment for every service schema (env.py) and the revision template."""
