"""The learning use cases. Writers run inside a transaction the caller owns:

    async with runtime.store.transaction() as conn:
        result = await handlers.record_attempt(runtime, conn, agency_id, actor, command,
                                               source_statement_id=statement_id)

`runtime` is the kernel's `Runtime`, as in every service; what learning adds to it
(catalogs, policies, clock, the folded-learner cache) each handler reads with
`LEARNING.of(runtime)` (`handlers/context.py`).
Each writer validates first and raises `LearningDomainError` or a `shared.problems.Problem`
having written nothing; its writes sit in a savepoint, so a failure leaves the caller's
transaction usable (an xAPI batch can store many statements and their events at once).
"""

from services.learning.handlers.attempts import record_attempt
from services.learning.handlers.enrollment import enroll_practitioner
from services.learning.handlers.lapses import AnnouncedLapse, check_lapses, lapse_check_job
from services.learning.handlers.recorded import Recorded
from services.learning.handlers.retractions import retract_statement_evidence
from services.learning.handlers.reviews import record_review

__all__ = [
    "AnnouncedLapse",
    "Recorded",
    "check_lapses",
    "enroll_practitioner",
    "lapse_check_job",
    "record_attempt",
    "record_review",
    "retract_statement_evidence",
]
