"""Alembic runs this for every command; `shared.schema.runner` hands it the connection
(already inside a transaction holding the schema's advisory lock) and the schema."""

from __future__ import annotations

from alembic import context

from shared.schema.service_schema import ServiceSchema

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with `miiwrap migrate <service>` (docs/migrations.md)")
schema: ServiceSchema = context.config.attributes["schema"]
context.configure(
    connection=connection,
    target_metadata=schema.metadata,
    compare_server_default=True,
)
with context.begin_transaction():
    context.run_migrations()
