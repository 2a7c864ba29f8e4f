"""Figure 3's tail note: what the service's histograms say about one run."""

from __future__ import annotations

from tests.bench.load import Outcome
from tests.bench.tail import Scrape, tail_note

INF = float("inf")


def test_the_note_reads_the_run_from_the_difference_of_two_scrapes() -> None:
    before = Scrape(
        route_buckets={0.01: 10, 0.05: 10, INF: 10},
        gc_buckets={0.001: 5, 0.05: 5, INF: 5},
        gc_count=5,
        gc_seconds=0.002,
    )
    after = Scrape(  # this run: 100 requests, 98 within 10 ms, all within 50 ms; 2 pauses
        route_buckets={0.01: 108, 0.05: 110, INF: 110},
        gc_buckets={0.001: 6, 0.05: 7, INF: 7},
        gc_count=7,
        gc_seconds=0.032,
    )
    outcome = Outcome(done=500, seconds=1.0, latencies=[0.02] * 500)
    note = tail_note("/r", before, after, outcome, 50)
    assert "50 / rate = 100 ms" in note
    assert "99% of the requests took ≤ 50 ms" in note
    assert "paused 2 times, 30 ms in all, the longest ≤ 50 ms" in note


def test_a_run_without_pauses_names_none() -> None:
    scrape = Scrape(route_buckets={0.01: 3, INF: 3})
    note = tail_note("/r", Scrape(), scrape, Outcome(done=3, seconds=1.0, latencies=[0.001]), 1)
    assert "99% of the requests took ≤ 10 ms" in note
    assert note.endswith("paused 0 times, 0 ms in all.")
