"""Counting appended events: each name's total, its series looked up once per name."""

from __future__ import annotations

from typing import Any

import pytest
from prometheus_client import CollectorRegistry

from shared.metrics import ServiceMetrics


def appended(registry: CollectorRegistry, name: str) -> float | None:
    return registry.get_sample_value(
        "miiwrap_events_appended_total", {"service": "probe", "event": name}
    )


def test_appends_are_counted_by_name_looking_each_series_up_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    registry = CollectorRegistry()
    metrics = ServiceMetrics(registry, "probe")
    looked_up: list[tuple[str, ...]] = []
    labels = metrics.events_appended.labels

    def counting(*values: str) -> Any:
        looked_up.append(values)
        return labels(*values)

    monkeypatch.setattr(metrics.events_appended, "labels", counting)
    for _ in range(3):
        metrics.count_appended(["registered", "evidence", "evidence"])
    metrics.count_appended([])

    assert appended(registry, "registered") == 3
    assert appended(registry, "evidence") == 6
    assert sorted(looked_up) == [("probe", "evidence"), ("probe", "registered")]
