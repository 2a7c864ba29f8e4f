"""How much CPU does certification's pure fold take per practitioner? No servers.

Three histories, each folded under the default policy, the way a rebuild or an intake
batch folds them: the bench dataset's practitioner (tests/bench/dataset.py: nine pieces
of evidence), the canonical certified facilitator of the unit tests (29 over a year,
granted), and two years of it (certified, then kept by weekly coaching, monthly
observations and concept reviews: about 200). Each
history is parsed from stored JSON once per practitioner, as `agency_evidence` does.
The last column is the whole of a rebuild's fold job as its worker process runs it
(`handlers/fold_jobs.py`): the job unpickled, each practitioner's items (with the
enrollment its registration adds) parsed, calibrated and folded, the publication planned
against what was announced (the fold's own transitions: nothing is news, as in a
rebuild), the status row and body made, and the rows pickled back.

`python -m tests.bench.fold_bench [--practitioners N] [--profile]`; nothing is asserted.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pickle
import pstats
import time
from collections.abc import Callable
from datetime import date, timedelta

from services.certification.domain.evaluate import evaluate, fold_timeline
from services.certification.domain.evidence import EVIDENCE_ADAPTER, EvidenceSet, parse_evidence
from services.certification.domain.publication import Announced
from services.certification.domain.schedule import next_change_on
from services.certification.domain.seed_policies import DEFAULT_POLICY
from services.certification.handlers.fold_jobs import FoldJob, fold_job
from services.certification.models.certification import state_json
from tests.bench.dataset import EVENT_PLACEHOLDER, PLACEHOLDER, templates
from tests.certification.unit.certification_builders import PractitionerHistory

TODAY = date(2027, 6, 1)


def bench_items() -> list[str]:
    """The dataset practitioner's stored evidence items (what its rebuild folds)."""
    found = []
    for n, template in enumerate(templates(9, TODAY)):
        text = template.data_json.replace(EVENT_PLACEHOLDER, f"ev-{n}")
        found.append(json.dumps(json.loads(text)["item"]))
    return found


def certified_items() -> list[str]:
    history = PractitionerHistory.certified_facilitator(PLACEHOLDER).build()
    return [EVIDENCE_ADAPTER.dump_json(item).decode() for item in history.values()]


def long_items() -> list[str]:
    """Two years of an agency's imported history: certified, then kept by continued
    practice (weekly coaching, monthly observations, concept reviews lapsing and
    restored), the shape a state-wide import brings (hundreds of records each)."""
    history = PractitionerHistory.certified_facilitator(PLACEHOLDER)
    day = date(2025, 12, 8)
    for week in range(60):
        history.coached(day + timedelta(weeks=week))
    for month in range(14):
        on = day + timedelta(days=30 * month + 3)
        history.observed(on, total=78 + (month * 7) % 15, observer="observer-9")
        history.observed(on, total=85, observer="observer-9", kind="coaching")
    for review in range(120):
        on = day + timedelta(days=3 * review)
        concept = f"C{review % 7}"
        if review % 3 == 0:
            history.concept_lapsed(concept, on)
        else:
            history.concept_restored(concept, on)
    built = history.build()
    return [EVIDENCE_ADAPTER.dump_json(item).decode() for item in built.values()]


def fold_all(items: list[str], practitioners: int) -> Callable[[], None]:
    def run() -> None:
        for n in range(practitioners):
            pid = f"prac-{n:06d}"
            evidence = EvidenceSet(
                pid, parse_evidence([i.replace(PLACEHOLDER, pid) for i in items])
            )
            timeline = fold_timeline(DEFAULT_POLICY, evidence, TODAY)
            state = evaluate(DEFAULT_POLICY, evidence, TODAY, timeline=timeline)
            next_change_on(DEFAULT_POLICY, evidence, state, timeline=timeline)
            state_json(state)

    return run


def fold_jobs(items: list[str], practitioners: int) -> Callable[[], None]:
    """One fold job of ``practitioners`` as a rebuild's worker runs it, from its pickle to
    the pickle of its rows."""
    enrollment = json.dumps(
        {
            "kind": "practitioner_enrolled",
            "event_id": "registration",
            "practitioner_id": PLACEHOLDER,
            "occurred_on": str(TODAY - timedelta(days=360)),
            "role": "facilitator",
            "coach_id": "coach-00000",
        }
    )
    evidence = {
        pid: [i.replace(PLACEHOLDER, pid) for i in (*items, enrollment)]
        for pid in (f"prac-{n:06d}" for n in range(practitioners))
    }
    announced = {
        pid: [
            Announced(event_id=f"{pid}-{n}", transition=transition)
            for n, transition in enumerate(
                evaluate(DEFAULT_POLICY, EvidenceSet(pid, parse_evidence(texts)), TODAY).transitions
            )
        ]
        for pid, texts in evidence.items()
    }
    job = FoldJob(DEFAULT_POLICY.model_dump_json(), TODAY, (), evidence, announced)
    pickled = pickle.dumps(job)

    def run() -> None:
        pickle.dumps(fold_job(pickle.loads(pickled)))

    return run


def _cpu_seconds(run: Callable[[], None]) -> float:
    started = time.process_time()
    run()
    return time.process_time() - started


def main(practitioners: int, profile: bool) -> None:
    print(f"\ncertification fold, {practitioners} practitioners each, CPU ms per practitioner\n")
    print(
        "| history | evidence items | parse + fold + schedule + body | a rebuild's fold job |\n"
        "|---|---|---|---|"
    )
    workloads = (
        ("bench dataset", bench_items()),
        ("certified", certified_items()),
        ("two years", long_items()),
    )
    for name, items in workloads:
        run = fold_all(items, practitioners)
        run()  # warm caches the way a running service has them
        if profile:
            profiler = cProfile.Profile()
            started = time.process_time()
            profiler.runcall(run)
            spent = time.process_time() - started
        else:  # the best of three: a shared machine only ever slows a round down
            spent = min(_cpu_seconds(run) for _ in range(3))
        job = fold_jobs(items, practitioners)
        job()
        in_job = min(_cpu_seconds(job) for _ in range(3))
        print(
            f"| {name} | {len(items)} | {spent / practitioners * 1000:.3f} "
            f"| {in_job / practitioners * 1000:.3f} |"
        )
        if profile:
            pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--practitioners", type=int, default=500)
    parser.add_argument("--profile", action="store_true")
    arguments = parser.parse_args()
    main(arguments.practitioners, arguments.profile)
