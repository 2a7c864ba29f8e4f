"""The benchmark's report: ratios, verdicts against targets, the table and the chart file."""

from __future__ import annotations

from pathlib import Path

from tests.bench.report import (
    AT_LEAST_CEILING_SHARE,
    AT_MOST,
    Figure,
    Target,
    markdown_table,
    write_report,
)


def a_write_figure(value: float) -> Figure:
    return Figure(
        "1",
        "learning POST /attempts, 16 clients",
        value,
        "writes/s",
        "bare endpoint",
        400.0,
        Target(AT_LEAST_CEILING_SHARE, 0.5),
    )


def test_a_ratio_target_is_met_from_half_the_ceiling_on() -> None:
    assert a_write_figure(200.0).ratio == 0.5
    assert a_write_figure(200.0).meets is True
    assert a_write_figure(199.0).meets is False


def test_a_bound_target_is_met_at_or_below_the_bound() -> None:
    latency = Figure("3", "GET state p99", 20.0, "ms", target=Target(AT_MOST, 20))
    assert latency.meets is True
    assert Figure("3", "GET state p99", 20.5, "ms", target=Target(AT_MOST, 20)).meets is False


def test_a_figure_without_a_measurement_misses_its_target_and_says_so() -> None:
    missing = Figure("4", "POST → subscriber p99", float("nan"), "ms", target=Target(AT_MOST, 100))
    assert missing.meets is False
    assert "not measured" in markdown_table([missing])


def test_a_figure_without_a_target_has_no_verdict() -> None:
    memory = Figure("6", "learning resident memory", 90.0, "MB")
    assert memory.meets is None
    row = markdown_table([memory]).splitlines()[-1]
    assert row.endswith("| — | — |")


def test_the_table_shows_each_figure_beside_its_ceiling_ratio_and_verdict() -> None:
    table = markdown_table([a_write_figure(100.0)])
    row = table.splitlines()[-1]
    assert "100 writes/s" in row
    assert "bare endpoint 400" in row
    assert "| 0.250 |" in row
    assert "≥ 0.5x ceiling" in row
    assert row.endswith("| **no** |")


def test_the_report_is_written_with_its_chart(tmp_path: Path) -> None:
    figures = [a_write_figure(300.0), Figure("6", "memory", 120.0, "MB")]
    path = write_report(tmp_path / "bench", "Benchmark", ["one run"], figures)
    text = path.read_text()
    assert text.startswith("# Benchmark")
    assert "| 0.750 |" in text
    assert "![figures](figures.png)" in text
    assert (tmp_path / "bench" / "figures.png").read_bytes().startswith(b"\x89PNG")
