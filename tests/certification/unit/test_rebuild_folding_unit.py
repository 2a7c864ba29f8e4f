"""A rebuild starts worker processes only for an agency large enough to pay for them."""

from __future__ import annotations

from services.certification.handlers.rebuild_evaluation import Folding
from shared.worker_processes import WorkerProcesses


def test_a_small_agency_folds_inline_without_starting_the_workers() -> None:
    folding = Folding(WorkerProcesses(2), job_size=250, start_from=20_000)
    with folding.lease(19_999) as executor:
        assert executor is None
    assert not folding.workers.started


def test_a_service_configured_without_workers_folds_every_agency_inline() -> None:
    folding = Folding(WorkerProcesses(0), job_size=250, start_from=0)
    with folding.lease(1_000_000) as executor:
        assert executor is None
