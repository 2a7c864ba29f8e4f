"""Building the filtered, keyset-paginated list queries of the projections.

`ListQuery` collects conditions with `{}` placeholders and numbers them `$1, $2, …`;
every list starts with the agency condition, so no query can forget the tenant.
`after` parses a cursor into typed keyset values for the lists that use it; a service
may parse its cursors itself and `add` the keyset condition.
"""

from __future__ import annotations

from typing import Any

from shared.pagination import KeyKind, PageRequest, keyset


class ListQuery:
    def __init__(self, agency_id: str) -> None:
        self.params: list[Any] = [agency_id]
        self.conditions: list[str] = ["agency_id = $1"]

    def add(self, condition: str, *values: Any) -> ListQuery:
        """Add `condition`, its `{}` placeholders bound to `values` in order."""
        numbers = []
        for value in values:
            self.params.append(value)
            numbers.append(f"${len(self.params)}")
        self.conditions.append(condition.format(*numbers))
        return self

    def when(self, value: Any, condition: str) -> ListQuery:
        """Add `condition` bound to `value` only when a filter value was given."""
        return self.add(condition, value) if value is not None else self

    def after(self, page: PageRequest, condition: str, casts: tuple[KeyKind, ...]) -> ListQuery:
        """Resume after the cursor's sort key: `condition` is e.g. `(held_on, session_id) <`."""
        values = keyset(page, *casts)
        if values is None:
            return self
        placeholders = ", ".join("{}" for _ in casts)
        return self.add(f"{condition} ({placeholders})", *values)

    def where(self) -> str:
        return " AND ".join(self.conditions)

    def limit(self, page: PageRequest) -> str:
        """The LIMIT clause: one extra row tells whether a next page exists."""
        self.params.append(page.limit + 1)
        return f"LIMIT ${len(self.params)}"
