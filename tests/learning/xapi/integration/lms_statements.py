"""Statements as partner LMSs send them, built on the unit builders' `statement()`.

Learners are LMS accounts on `LMS` (whose account names the tests declare to be
practitioner ids), Activities are module courses of the catalog, results carry
scores and cmi5 extensions, contexts carry a registration and contextActivities.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from services.learning.xapi.cmi5 import COMPLETED, FAILED, PASSED
from tests.learning.xapi.unit.builders import LMS, activity, learner, statement, verb

T0 = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)


def module_course(module_id: str) -> str:
    return f"{LMS}/courses/miiwrap/modules/{module_id}"


def quiz(module_id: str) -> str:
    return f"{LMS}/courses/miiwrap/modules/{module_id}/quiz"


def concept_card(concept_id: str) -> str:
    return f"{LMS}/flashcards/{concept_id}"


def lms_statement(
    practitioner: str,
    activity_id: str,
    verb_id: str = PASSED,
    *,
    scaled: float | None = 0.9,
    at: datetime = T0,
    registration: str | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """A Statement by the practitioner's LMS account on `activity_id`, with a new id."""
    built = statement(
        id=str(uuid.uuid4()),
        actor=learner(practitioner),
        verb=verb(verb_id),
        object=activity(activity_id),
        timestamp=at.isoformat().replace("+00:00", "Z"),
    )
    if scaled is None:
        built["result"] = {"completion": True, "duration": "PT20M"}
    else:
        built["result"] = {
            "score": {"scaled": scaled, "raw": round(scaled * 100), "min": 0, "max": 100},
            "success": scaled >= 0.8,
            "duration": "PT24M13.5S",
            "extensions": {"https://w3id.org/xapi/cmi5/result/extensions/progress": 100},
        }
    built["context"] = {**built["context"], "registration": registration or str(uuid.uuid4())}
    return {**built, **overrides}


def passed(practitioner: str, activity_id: str, scaled: float = 0.9, **kw: Any) -> dict[str, Any]:
    return lms_statement(practitioner, activity_id, PASSED, scaled=scaled, **kw)


def failed(practitioner: str, activity_id: str, scaled: float = 0.5, **kw: Any) -> dict[str, Any]:
    return lms_statement(practitioner, activity_id, FAILED, scaled=scaled, **kw)


def completed(practitioner: str, activity_id: str, **kw: Any) -> dict[str, Any]:
    return lms_statement(practitioner, activity_id, COMPLETED, scaled=None, **kw)


def hours(n: float) -> timedelta:
    return timedelta(hours=n)
