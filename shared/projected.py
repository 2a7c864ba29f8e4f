"""A projection row written by the event store's append statement itself.

A write appends its events and inserts the projection row that goes with them, in one
transaction. Sent as two statements that is two round trips; `EventStore.append(...,
projected=Projected(sql, args))` sends the row's INSERT inside the append's statement
(a data-modifying CTE), guarded so that it writes exactly when every event was stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# the append statement's parameters ($1-$11) and the count of its events ($12): a
# projection written by the same statement numbers its own parameters after them
APPEND_PARAMETERS = 12


@dataclass(frozen=True)
class Projected:
    """A projection row written by the append's own statement (one round trip fewer).

    `sql` is one data-modifying statement whose rows come `FROM appended`: a relation
    that holds one row when every event of the append was stored and none otherwise,
    so the row is written exactly when the events are. Its parameters are its own,
    numbered from $1, each cast to its type (`$1::uuid`: a `SELECT` list does not take
    types from the target columns); it holds no other `$`.
    """

    sql: str
    args: tuple[Any, ...]

    def __post_init__(self) -> None:
        if "FROM appended" not in self.sql:
            raise ValueError("a projected statement takes its rows FROM appended")
        if "$$" in self.sql or re.search(r"\$[^0-9]", self.sql):
            raise ValueError("a projected statement holds no '$' but its parameters")

    @staticmethod
    def numbered_after_append(sql: str) -> str:
        """`sql` with its parameters numbered after the append's."""
        return re.sub(r"\$(\d+)", lambda m: f"${int(m.group(1)) + APPEND_PARAMETERS}", sql)

    def alone(self) -> str:
        """Its text as a statement of its own, once the events are stored."""
        return f"WITH appended AS (SELECT 1) {self.sql}"
