"""Column types PostgreSQL has and SQLAlchemy does not name."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects.postgresql.base import ischema_names
from sqlalchemy.types import UserDefinedType


class XID8(UserDefinedType[int]):
    """PostgreSQL's 64-bit transaction id (`pg_current_xact_id()`): the event store's
    commit fence orders events by it."""

    cache_ok = True

    def get_col_spec(self, **kw: Any) -> str:
        return "xid8"


# reflection (Alembic comparing the database with the models) knows the type by name
ischema_names.setdefault("xid8", XID8)
