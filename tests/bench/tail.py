"""Figure 3's tail explained from the service's own `/metrics`, read before and after a run.

A closed loop's latency is the wait for the server (50 clients / the rate, on average)
plus its tail. The service's histograms tell where the tail is: the time a request spent
inside the app (`miiwrap_http_request_duration_seconds` of the route, from the outermost
middleware to the last byte), and the garbage collector's pauses meanwhile
(`miiwrap_gc_pause_seconds`), which every request in flight waits for. Histograms give
bucket bounds, not exact values. With `--workers N` a scrape answers from one worker.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.bench.load import Outcome


@dataclass
class Scrape:
    route_buckets: dict[float, float] = field(default_factory=dict)  # le → cumulative count
    gc_buckets: dict[float, float] = field(default_factory=dict)
    gc_count: float = 0.0
    gc_seconds: float = 0.0


async def scrape(url: str, route: str) -> Scrape:
    async with httpx.AsyncClient(timeout=30) as http:
        text = (await http.get(f"{url}/metrics")).text
    seen = Scrape()
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels = sample.labels
            if sample.name == "miiwrap_http_request_duration_seconds_bucket":
                if labels.get("route") == route and labels.get("method") == "GET":
                    bound = float(labels["le"])
                    seen.route_buckets[bound] = seen.route_buckets.get(bound, 0) + sample.value
            elif sample.name == "miiwrap_gc_pause_seconds_bucket":
                bound = float(labels["le"])
                seen.gc_buckets[bound] = seen.gc_buckets.get(bound, 0) + sample.value
            elif sample.name == "miiwrap_gc_pause_seconds_count":
                seen.gc_count += sample.value
            elif sample.name == "miiwrap_gc_pause_seconds_sum":
                seen.gc_seconds += sample.value
    return seen


def _bound_holding(
    before: dict[float, float], after: dict[float, float], share: float
) -> float | None:
    """The smallest bucket bound under which `share` of the run's observations fell."""
    counts = {bound: after[bound] - before.get(bound, 0) for bound in after}
    total = counts.get(float("inf"), 0)
    if not total:
        return None
    for bound in sorted(counts):
        if counts[bound] >= share * total:
            return bound
    return None


def _ms(bound: float | None) -> str:
    if bound is None:
        return "?"
    return "over the last bucket" if bound == float("inf") else f"≤ {bound * 1000:g} ms"


def tail_note(label: str, before: Scrape, after: Scrape, outcome: Outcome, clients: int) -> str:
    pauses = after.gc_count - before.gc_count
    paused_ms = (after.gc_seconds - before.gc_seconds) * 1000
    longest = _bound_holding(before.gc_buckets, after.gc_buckets, 1.0) if pauses else None
    inside = _bound_holding(before.route_buckets, after.route_buckets, 0.99)
    queue_ms = clients / outcome.rate * 1000 if outcome.rate else float("nan")
    return (
        f"Tail of figure 3, {label}: the clients saw p50 {outcome.median_ms:.0f} ms and p99 "
        f"{outcome.percentile_ms(0.99):.0f} ms (a closed loop waits {clients} / rate = "
        f"{queue_ms:.0f} ms on average); inside the service 99% of the requests took "
        f"{_ms(inside)}; the garbage collector paused {pauses:.0f} times, "
        f"{paused_ms:.0f} ms in all" + (f", the longest {_ms(longest)}" if pauses else "") + "."
    )
