"""What the LRS adds to a valid Statement before storing it.

Data §2.3.1.b1 lets the LRS assign `id`, `authority`, `stored`, `timestamp` and
`version`; §2.4.6.2.s4.b3 makes it return every contextActivities value as an array.
Doing both once, at write time, means every read returns the stored document as is.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import datetime
from uuid import UUID, uuid4

from .formats import format_timestamp
from .structure import JsonObject


def complete_statement(
    statement: JsonObject,
    *,
    stored: datetime,
    authority: JsonObject,
    statement_id: UUID | None = None,
) -> dict[str, object]:
    """A copy of a validated Statement with the LRS-assigned properties filled in.

    - `id`: kept when sent, else `statement_id` (or a new UUID4) (§2.4.1.s2.b1);
    - `stored`: always overwritten with `stored` (§2.4.8.s3.b2);
    - `timestamp`: set to `stored` when absent (§2.4.7.s3.b2);
    - `version`: "1.0.0" when absent (§2.4.10.s3.b3);
    - `authority`: always overwritten from the credentials (§2.4.9.s3.b4); pass the
      Statement's own authority to keep it for a trusted source (§2.4.9.s3.b5);
    - contextActivities values become arrays, also inside a SubStatement.
    """
    completed = copy.deepcopy(dict(statement))
    if "id" not in completed:
        completed["id"] = str(statement_id or uuid4())
    stored_text = format_timestamp(stored)
    completed["stored"] = stored_text
    completed.setdefault("timestamp", stored_text)
    completed.setdefault("version", "1.0.0")
    completed["authority"] = copy.deepcopy(dict(authority))
    _context_activities_as_arrays(completed.get("context"))
    statement_object = completed.get("object")
    if isinstance(statement_object, dict) and statement_object.get("objectType") == "SubStatement":
        _context_activities_as_arrays(statement_object.get("context"))
    return completed


def _context_activities_as_arrays(context: object) -> None:
    if not isinstance(context, dict):
        return
    context_activities = context.get("contextActivities")
    if isinstance(context_activities, dict):
        for kind, activities in context_activities.items():
            if isinstance(activities, Mapping):
                context_activities[kind] = [activities]
