"""Running a revision's SQL as one script: one round trip instead of two per statement.

Through SQLAlchemy every `op.execute` is a prepared statement (parse, then execute): a
baseline of forty DDL statements costs twice as many round trips as the asyncpg
`execute` the services used before, and tests migrate a fresh schema for every
service they start. A script of plain statements goes as one simple query on the
same connection, inside the migration's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op
from sqlalchemy.util import await_only


def run_script(statements: Sequence[str]) -> None:
    """Execute `statements` (no parameters) in one simple query, in the open transaction."""
    driver = op.get_bind().connection.driver_connection
    if driver is None:
        raise RuntimeError("no database connection to run the script on")
    await_only(driver.execute(";\n".join(statements)))
