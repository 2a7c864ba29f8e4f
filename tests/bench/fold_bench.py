"""How much CPU does certification's pure fold take per practitioner? No servers.

Two histories, each folded as of today under the default policy, the way a rebuild
or an intake batch folds them: the bench dataset's practitioner (tests/bench/dataset.py:
a registration and nine pieces of evidence) and the canonical certified facilitator of
the unit tests (36 pieces of evidence over a year, granted, then maintained). Each
history is parsed from stored JSON once per practitioner, as `agency_evidence` does.

`python -m tests.bench.fold_bench [--practitioners N] [--profile]`; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import cProfile
import pstats
import time
from collections.abc import Callable
from datetime import date

from services.certification.domain.evaluate import evaluate
from services.certification.domain.evidence import EVIDENCE_ADAPTER, EvidenceSet
from services.certification.domain.schedule import next_change_on
from services.certification.domain.seed_policies import DEFAULT_POLICY
from services.certification.models.certification import state_json
from tests.bench.dataset import EVENT_PLACEHOLDER, PLACEHOLDER, templates
from tests.certification.unit.certification_builders import PractitionerHistory

TODAY = date(2026, 1, 10)


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


def fold_all(items: list[str], practitioners: int) -> Callable[[], None]:
    def run() -> None:
        for n in range(practitioners):
            pid = f"prac-{n:06d}"
            evidence = EvidenceSet(
                pid, [EVIDENCE_ADAPTER.validate_json(i.replace(PLACEHOLDER, pid)) for i in items]
            )
            state = evaluate(DEFAULT_POLICY, evidence, TODAY)
            next_change_on(DEFAULT_POLICY, evidence, state)
            state_json(state)

    return run


def main(practitioners: int, profile: bool) -> None:
    print(f"\ncertification fold, {practitioners} practitioners each (CPU ms per practitioner)\n")
    print("| history | evidence items | parse + fold + schedule + body |\n|---|---|---|")
    for name, items in (("bench dataset", bench_items()), ("certified", certified_items())):
        run = fold_all(items, practitioners)
        run()  # warm caches the way a running service has them
        started = time.process_time()
        if profile:
            profiler = cProfile.Profile()
            profiler.runcall(run)
        else:
            run()
        spent = time.process_time() - started
        print(f"| {name} | {len(items)} | {spent / practitioners * 1000:.3f} |")
        if profile:
            pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--practitioners", type=int, default=2000)
    parser.add_argument("--profile", action="store_true")
    arguments = parser.parse_args()
    main(arguments.practitioners, arguments.profile)
