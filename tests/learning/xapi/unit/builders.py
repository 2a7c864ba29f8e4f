"""Data builders for xAPI tests: Statements shaped like the ones partner LMSs send.

`statement()` is a complete, valid Statement (account-identified learner, verb with
display, Activity with definition, context with registration and contextActivities,
scored result with extensions). Tests change one thing with keyword overrides or
`set_at` / `drop_at`, which take a path in the same notation `StatementInvalid.path`
uses, so a test can break a value and expect the error at the same path.
"""

from __future__ import annotations

import copy
import re
from typing import Any

LMS = "https://lms.example.org"
COURSE = f"{LMS}/courses/wraparound-101"
MODULE = f"{COURSE}/modules/team-meetings"
REGISTRATION = "ec531277-b57b-4c15-8d91-d292c5b2b8f7"
STATEMENT_ID = "fd41c918-b88b-4b20-a0a5-a4c32391aaa0"
COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
CMI5_CATEGORY = "https://w3id.org/xapi/cmi5/context/categories/cmi5"

Json = dict[str, Any]


def learner(name: str = "learner-1625378", **overrides: Any) -> Json:
    """An Agent identified by an LMS account, as most LMSs identify learners."""
    agent: Json = {
        "objectType": "Agent",
        "name": "Ana Learner",
        "account": {"homePage": LMS, "name": name},
    }
    return {**agent, **overrides}


def mailbox(address: str) -> Json:
    """An Agent identified by mbox."""
    return {"objectType": "Agent", "mbox": f"mailto:{address}"}


def verb(verb_id: str = COMPLETED, **display: str) -> Json:
    """A Verb with a display (en-US unless languages are given)."""
    return {"id": verb_id, "display": display or {"en-US": verb_id.rsplit("/", 1)[-1]}}


def activity(activity_id: str = MODULE, **overrides: Any) -> Json:
    """An Activity with a name, description and type."""
    built: Json = {
        "objectType": "Activity",
        "id": activity_id,
        "definition": {
            "name": {"en-US": "Team meetings", "es": "Reuniones de equipo"},
            "description": {"en-US": "Running a Wraparound team meeting."},
            "type": "http://adlnet.gov/expapi/activities/module",
        },
    }
    return {**built, **overrides}


def statement(**overrides: Any) -> Json:
    """A valid, fully populated Statement; keyword arguments replace top-level properties."""
    built: Json = {
        "id": STATEMENT_ID,
        "actor": learner(),
        "verb": verb(),
        "object": activity(),
        "result": {
            "score": {"scaled": 0.85, "raw": 85, "min": 0, "max": 100},
            "success": True,
            "completion": True,
            "duration": "PT24M13.5S",
            "extensions": {"https://w3id.org/xapi/cmi5/result/extensions/progress": 100},
        },
        "context": {
            "registration": REGISTRATION,
            "contextActivities": {
                "parent": [{"objectType": "Activity", "id": COURSE}],
                "grouping": [{"objectType": "Activity", "id": f"{LMS}/programs/wraparound"}],
                "category": [{"objectType": "Activity", "id": CMI5_CATEGORY}],
            },
            "platform": "Moodle 4.3",
            "language": "en-US",
            "extensions": {"https://w3id.org/xapi/cmi5/context/extensions/sessionid": "s-42"},
        },
        "timestamp": "2024-05-02T14:03:27.512Z",
    }
    return {**built, **overrides}


def set_at(document: Json, path: str, value: Any) -> Json:
    """A copy of `document` with the value at `path` (e.g. `context.contextActivities.parent[0].id`)
    replaced or added."""
    changed = copy.deepcopy(document)
    parent, last = _walk(changed, path)
    parent[last] = value
    return changed


def drop_at(document: Json, path: str) -> Json:
    """A copy of `document` without the value at `path`."""
    changed = copy.deepcopy(document)
    parent, last = _walk(changed, path)
    del parent[last]
    return changed


def _walk(document: Json, path: str) -> tuple[Any, Any]:
    steps: list[Any] = []
    for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", path):
        steps.append(int(index) if index else name)
    node: Any = document
    for step in steps[:-1]:
        node = node[step]
    return node, steps[-1]
