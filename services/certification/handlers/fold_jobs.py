"""A batch of practitioners folded from compact inputs, in a worker process or inline.

A rebuild hands its folds to worker processes (`shared/worker_processes.py`) while its
own process keeps reading and writing PostgreSQL. What crosses the boundary is kept
small and cheap to pickle: the policy as its JSON text (parsed once per worker), each
practitioner's evidence as the stored JSON texts, the calibrations of the batch's
observers; back come the status rows ready to store, and whether the practitioner has
anything to publish. The fold is the pure one every other evaluation runs
(`domain/evaluate.py`), so a row folded here equals the one `refresh_many` stores.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from services.certification.adapters.status_rows import StatusRow
from services.certification.domain.calibrations import Calibration, decide_calibrations
from services.certification.domain.evaluate import evaluate, fold_timeline
from services.certification.domain.evidence import EvidenceSet, parse_evidence
from services.certification.domain.policy import Policy
from services.certification.domain.publication import Announced, plan_publication
from services.certification.domain.schedule import next_change_on
from services.certification.models.certification import state_json


@dataclass(frozen=True)
class FoldJob:
    """Practitioners of one agency to fold as of ``today`` under one policy.

    ``announced`` holds what is on record for each practitioner; None when nothing is
    published now (an import window holds the agency), so no plan is made."""

    policy_json: str
    today: date
    calibrations: tuple[Calibration, ...]
    evidence: dict[str, list[str]]  # practitioner -> its evidence items as JSON text
    announced: dict[str, list[Announced]] | None


@dataclass(frozen=True)
class Folded:
    row: StatusRow
    has_news: bool  # the fold differs from what was announced: events to publish
    fold_seconds: float  # for the service's fold histogram, observed by the caller


@lru_cache(maxsize=16)
def _policy(policy_json: str) -> Policy:
    return Policy.model_validate_json(policy_json)


def fold_job(job: FoldJob) -> list[Folded]:
    """Each practitioner's status row (and whether it has news), in the job's order."""
    policy = _policy(job.policy_json)
    folded = []
    for practitioner_id, texts in job.evidence.items():
        items = parse_evidence(texts)
        evidence = EvidenceSet(practitioner_id, decide_calibrations(items, job.calibrations))
        started = time.perf_counter()
        timeline = fold_timeline(policy, evidence, job.today)
        state = evaluate(policy, evidence, job.today, timeline=timeline)
        fold_seconds = time.perf_counter() - started
        changes_on = next_change_on(policy, evidence, state, timeline=timeline)
        has_news = job.announced is not None and bool(
            plan_publication(job.announced[practitioner_id], state)
        )
        row = StatusRow.of(state, changes_on, state_json(state))
        folded.append(Folded(row, has_news, fold_seconds))
    return folded
