"""The demo agency's LMS reports the learning records: attempts and reviews as xAPI.

Agencies' learning records arrive from their LMS as xAPI statements, and one batch per
practitioner is also one transaction in the learning service, so the whole learning
history of a practitioner is recorded at once (the REST form the plan writes is turned
into statements here). The demo LMS's accounts are practitioner ids; its module courses
(cmi5 moveOn CompletedAndPassed) and concept activities are mapped to the catalog.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from system.demo_history.plan import Actor, Call, Catalog

HOME_PAGE = "https://lms.demo.miiwrap.org"
MODULE_COURSE = HOME_PAGE + "/courses/miiwrap/modules/{}"
CONCEPT_ACTIVITY = HOME_PAGE + "/courses/miiwrap/concepts/{}"
LMS = Actor("demo-lms", "lms")  # HTTP Basic with the LMS credential, not a bearer token
STATEMENTS = "/xapi/statements"
VERB = "http://adlnet.gov/expapi/verbs/{}"
# a score in the band learning maps to each FSRS rating (easy ≥ 0.90, good ≥ 0.75)
RATING_SCORE = {"easy": 0.95, "good": 0.85, "hard": 0.7, "again": 0.4}


def mapping_calls(catalog: Catalog) -> list[Call]:
    """The admin's mappings: accounts are practitioner ids, courses and concepts the catalog's."""
    calls = [
        Call(
            "learning",
            f"/xapi-mappings/account-home-pages/{quote(HOME_PAGE, safe='')}",
            {},
            method="PUT",
        )
    ]
    for module_id, concept_ids in catalog.concepts.items():
        targets = [
            (
                MODULE_COURSE.format(module_id),
                {"kind": "module", "target_id": module_id, "move_on": "CompletedAndPassed"},
            )
        ]
        targets += [
            (CONCEPT_ACTIVITY.format(c), {"kind": "concept", "target_id": c}) for c in concept_ids
        ]
        calls += [
            Call(
                "learning",
                f"/xapi-mappings/activities/{quote(activity, safe='')}",
                body,
                method="PUT",
            )
            for activity, body in targets
        ]
    return calls


def reported_by_lms(learning: Iterable[Call]) -> list[Call]:
    """Enrollment stays a REST call (the program's, not the LMS's); the rest one batch."""
    calls = list(learning)
    kept = [c for c in calls if c.path not in ("/attempts", "/reviews")]
    statements = [_statement(c.body) for c in calls if c.path in ("/attempts", "/reviews")]
    return kept + ([Call("learning", STATEMENTS, statements, LMS)] if statements else [])


def _statement(record: dict[str, Any]) -> dict[str, Any]:
    if "module_id" in record:
        score = record["scaled_score"]
        verb = "passed" if score >= 0.8 else "failed"
        activity, timestamp = MODULE_COURSE.format(record["module_id"]), record["attempted_at"]
    else:
        score, verb = RATING_SCORE[record["rating"]], "passed"
        activity, timestamp = CONCEPT_ACTIVITY.format(record["concept_id"]), record["reviewed_at"]
    return {
        "id": record["id"],
        "actor": {"account": {"homePage": HOME_PAGE, "name": record["practitioner_id"]}},
        "verb": {"id": VERB.format(verb)},
        "object": {"id": activity, "objectType": "Activity"},
        "result": {"score": {"scaled": score}, "success": verb == "passed"},
        "timestamp": timestamp,
    }
