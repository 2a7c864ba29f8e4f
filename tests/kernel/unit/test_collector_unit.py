"""A started service's garbage collector: what it held at start is out of every scan."""

from __future__ import annotations

import subprocess
import sys

from shared.collector import OLDER_THRESHOLDS, YOUNG_THRESHOLD
from shared.config import ServiceSettings

# run in a child: freezing this test process would keep its garbage for good
PROBE = """
import gc
from shared.collector import settle_after_start
held = [[n] for n in range(1000)]
settle_after_start()
print(gc.get_freeze_count() >= 1000, *gc.get_threshold())
"""


def test_freezes_what_a_started_service_holds_and_widens_the_thresholds() -> None:
    answer = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=60
    )
    frozen, *thresholds = answer.stdout.split()
    assert frozen == "True"
    assert tuple(int(t) for t in thresholds) == (YOUNG_THRESHOLD, *OLDER_THRESHOLDS)


def test_a_service_settles_its_collector_unless_told_not_to() -> None:
    settings = ServiceSettings(service_name="probe")
    assert settings.gc_settle_after_start is True
    assert (
        ServiceSettings(service_name="probe", gc_settle_after_start=False).gc_settle_after_start
        is False
    )
