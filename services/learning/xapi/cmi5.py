"""cmi5 moveOn: whether an Assignable Unit (AU) is satisfied for a registration.

An AU's `moveOn` (cmi5 §13.1.4) names which cmi5 verbs, recorded for the AU in that
registration, satisfy it. `NotApplicable` is satisfied from enrolment, and a
`waived` Statement (issued by the LMS when the requirements were met some other
way, cmi5 §9.3.8) satisfies any moveOn. `failed` never satisfies and never undoes an
earlier `passed` or `completed`.

The caller picks the verbs: non-voided Statements whose Object is the AU and whose
context registration is the learner's.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

VERB_BASE = "https://w3id.org/xapi/adl/verbs/"
LAUNCHED = VERB_BASE + "launched"
INITIALIZED = VERB_BASE + "initialized"
COMPLETED = VERB_BASE + "completed"
PASSED = VERB_BASE + "passed"
FAILED = VERB_BASE + "failed"
ABANDONED = VERB_BASE + "abandoned"
WAIVED = VERB_BASE + "waived"
TERMINATED = VERB_BASE + "terminated"
SATISFIED = VERB_BASE + "satisfied"


class MoveOn(StrEnum):
    """The cmi5 moveOn vocabulary (values are case sensitive)."""

    PASSED = "Passed"
    COMPLETED = "Completed"
    COMPLETED_AND_PASSED = "CompletedAndPassed"
    COMPLETED_OR_PASSED = "CompletedOrPassed"
    NOT_APPLICABLE = "NotApplicable"


def is_au_satisfied(move_on: MoveOn | str, verbs_seen: Iterable[str]) -> bool:
    """Whether the verbs recorded for an AU in a registration meet its moveOn.

    Raises `ValueError` for a moveOn outside the cmi5 vocabulary.
    """
    criterion = MoveOn(move_on)
    seen = frozenset(verbs_seen)
    if criterion is MoveOn.NOT_APPLICABLE or WAIVED in seen:
        return True
    completed, passed = COMPLETED in seen, PASSED in seen
    if criterion is MoveOn.PASSED:
        return passed
    if criterion is MoveOn.COMPLETED:
        return completed
    if criterion is MoveOn.COMPLETED_AND_PASSED:
        return completed and passed
    return completed or passed
