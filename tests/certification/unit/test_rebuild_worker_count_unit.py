"""How many fold workers a rebuild starts when the setting is left unset."""

from __future__ import annotations

import os

from services.certification.handlers.rebuild_evaluation import (
    MOST_DEFAULT_WORKERS,
    default_worker_count,
)


def test_unset_workers_follow_the_cpus_this_process_may_use_not_the_machine() -> None:
    allowed = os.sched_getaffinity(0)
    try:
        os.sched_setaffinity(0, {min(allowed)})
        assert default_worker_count() == 1
    finally:
        os.sched_setaffinity(0, allowed)
    assert default_worker_count() == min(len(allowed), MOST_DEFAULT_WORKERS)
