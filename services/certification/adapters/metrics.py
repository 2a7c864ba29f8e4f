"""Certification's own Prometheus instruments, served on its /metrics beside the kernel's.

Process-wide (one certification app per process in production); the fold is timed where
it runs, and the transitions are counted as they are appended to the log (the relay
publishes them after commit).
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

from services.certification.domain.events import TRANSITION_EVENT_NAMES

FOLD_SECONDS = Histogram(
    "miiwrap_certification_fold_seconds",
    "Time to fold one practitioner's evidence under a policy (evaluate)",
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0),
    registry=None,
)
TRANSITIONS_PUBLISHED = Counter(
    "miiwrap_certification_transitions_published",
    "Certification transitions appended for publication, by event",
    ["event"],
    registry=None,
)
for _name in sorted(TRANSITION_EVENT_NAMES):  # every series present from the start, at 0
    TRANSITIONS_PUBLISHED.labels(_name)
CERTIFICATION_METRICS = (FOLD_SECONDS, TRANSITIONS_PUBLISHED)
