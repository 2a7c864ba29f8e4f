"""A rebuild starts worker processes only for an agency large enough to pay for them."""

from __future__ import annotations

from services.certification.handlers.rebuild_evaluation import Folding
from shared.worker_processes import WorkerProcesses


def test_a_small_agency_folds_inline_without_starting_the_workers() -> None:
    folding = Folding(WorkerProcesses(2), job_size=250, start_from=2000)
    assert folding.executor(200) is None  # one job: nothing to spread
    assert folding.executor(1999) is None  # several jobs, but less than a start costs
    assert not folding.workers.started


def test_a_service_configured_without_workers_folds_every_agency_inline() -> None:
    folding = Folding(WorkerProcesses(0), job_size=250, start_from=0)
    assert folding.executor(100_000) is None
