"""The end-to-end benchmark's figures: each beside its ceiling and target, as a table and a chart.

Pure: no servers. `Figure` holds one measurement, the raw ceiling measured in the same
run (if it has one) and the issue's target; `markdown_table` and `write_report` print
them; `draw_chart` draws each figure as a pair of bars (measured, ceiling or target).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

AT_LEAST_CEILING_SHARE = "ratio"  # measured / ceiling must reach the bound
AT_MOST = "at_most"  # measured must stay at or below the bound


@dataclass(frozen=True)
class Target:
    kind: str  # AT_LEAST_CEILING_SHARE or AT_MOST
    bound: float

    def describe(self, unit: str) -> str:
        if self.kind == AT_LEAST_CEILING_SHARE:
            return f"≥ {self.bound:g}x ceiling"
        return f"≤ {self.bound:g} {unit}"


@dataclass(frozen=True)
class Figure:
    number: str  # the figure number, e.g. "1" or "3"
    label: str
    value: float
    unit: str
    ceiling_label: str = ""
    ceiling: float | None = None
    target: Target | None = None
    detail: str = ""

    @property
    def ratio(self) -> float | None:
        if self.ceiling is None or self.ceiling <= 0:
            return None
        return self.value / self.ceiling

    @property
    def meets(self) -> bool | None:
        """Whether the target is met; None when the figure has no target."""
        if self.target is None or math.isnan(self.value):
            return None if self.target is None else False
        if self.target.kind == AT_LEAST_CEILING_SHARE:
            ratio = self.ratio
            return ratio is not None and ratio >= self.target.bound
        return self.value <= self.target.bound


def amount(value: float, unit: str) -> str:
    if math.isnan(value):
        return "not measured"
    if abs(value) >= 100:
        return f"{value:,.0f} {unit}"
    return f"{value:,.1f} {unit}" if abs(value) >= 10 else f"{value:,.2f} {unit}"


def verdict(figure: Figure) -> str:
    meets = figure.meets
    return "—" if meets is None else ("yes" if meets else "**no**")


def markdown_table(figures: Sequence[Figure]) -> str:
    lines = [
        "| # | figure | measured | ceiling in the same run | ratio | target | meets |",
        "|---|---|---|---|---|---|---|",
    ]
    for f in figures:
        ceiling = f"{f.ceiling_label} {amount(f.ceiling, '')}".strip() if f.ceiling else "—"
        ratio = f"{f.ratio:.3f}" if f.ratio is not None else "—"
        target = f.target.describe(f.unit) if f.target else "—"
        measured = amount(f.value, f.unit) + (f" ({f.detail})" if f.detail else "")
        lines.append(
            f"| {f.number} | {f.label} | {measured} | {ceiling} | {ratio} | {target} "
            f"| {verdict(f)} |"
        )
    return "\n".join(lines)


def write_report(
    directory: Path, title: str, preamble: Sequence[str], figures: Sequence[Figure]
) -> Path:
    """`report.md` (and `figures.png` beside it) in `directory`; returns the report's path."""
    directory.mkdir(parents=True, exist_ok=True)
    chart = directory / "figures.png"
    draw_chart(figures, chart)
    text = "\n".join(
        [f"# {title}", "", *preamble, "", markdown_table(figures), "", f"![figures]({chart.name})"]
    )
    path = directory / "report.md"
    path.write_text(text + "\n", encoding="utf-8")
    return path


def chart_pair(figure: Figure) -> tuple[str, float] | None:
    """What a figure's bar stands beside: its ceiling, else its target bound."""
    if figure.ceiling is not None:
        return figure.ceiling_label or "ceiling", figure.ceiling
    if figure.target is not None and figure.target.kind == AT_MOST:
        return "target", figure.target.bound
    return None


def draw_chart(figures: Sequence[Figure], path: Path) -> None:
    """One small panel per figure: the measured bar beside its ceiling (or target)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    columns = 4
    rows = max(1, math.ceil(len(figures) / columns))
    fig, axes = plt.subplots(rows, columns, figsize=(4.2 * columns, 2.6 * rows), squeeze=False)
    for index, axis in enumerate(axes.flat):
        if index >= len(figures):
            axis.axis("off")
            continue
        figure = figures[index]
        meets = figure.meets
        colour = "#2980b9" if meets is None else ("#27ae60" if meets else "#c0392b")
        names, values, colours = ["measured"], [figure.value], [colour]
        beside = chart_pair(figure)
        if beside is not None:
            names.append(beside[0][:22])
            values.append(beside[1])
            colours.append("#7f8c8d")
        shown = [0.0 if math.isnan(v) else v for v in values]
        axis.barh(names, shown, color=colours)
        for y, v in enumerate(values):
            axis.text(shown[y], y, " " + amount(v, ""), va="center", fontsize=7)
        axis.set_title(f"{figure.number}. {figure.label}"[:60], fontsize=8)
        axis.set_xlabel(figure.unit, fontsize=7)
        axis.tick_params(labelsize=7)
        axis.set_xlim(0, max([*shown, 1.0]) * 1.35)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
