"""PostgreSQL's CPU per write, statement by statement, from its own accounting.

`log_statement_stats` makes each backend log the CPU (user + system, getrusage) each
protocol step of a statement took: PARSE, BIND (where a prepared statement is planned
when PostgreSQL plans it anew for the values given), EXECUTE, and a simple QUERY. Over
a few seconds of writes, each statement's CPU per write, split by step, tells where
PostgreSQL's CPU per write goes (e.g. a statement planned at every execution shows a
BIND dearer than its EXECUTE). The logging itself costs CPU: compare the figures with
each other, not with the bench's PostgreSQL CPU per write.
"""

from __future__ import annotations

import collections
import re

from tests.bench.processes import BenchStack
from tests.bench.statement_log import logged_while
from tests.bench.writes import Writes

SECONDS = 4.0
_ENTRY = re.compile(r"^\[(\d+)\] (\S*) (LOG|DETAIL|STATEMENT):  (.*)$", re.S)
_USAGE = re.compile(r"!\s+([\d.]+) s user, ([\d.]+) s system")


async def statement_cpu(stack: BenchStack, writes: Writes, service: str, clients: int) -> None:
    """Print each statement's CPU per write (every service's: the writes pay for the
    relay's and the consumers' statements too), largest first, with the steps' totals."""
    outcome, text = await logged_while(
        stack, "log_statement_stats", "on", lambda: writes.measure(service, clients, SECONDS)
    )
    writes_done = max(outcome.done, 1)
    print_usage(
        text,
        writes_done,
        "write",
        f"{service}, {clients} client(s), {writes_done} writes: PostgreSQL statement CPU",
        16,
    )


def print_usage(text: str, count: int, unit: str, heading: str, largest: int) -> None:
    """Print the logged statements' CPU per `unit` (`count` of them), the steps' totals
    after `heading`, then the `largest` statements, largest first."""
    per_statement, per_step = usage_by_statement(text)
    steps = ", ".join(f"{step} {1000 * cpu / count:.3f}" for step, cpu in per_step.items())
    print(f"\n{heading} {1000 * sum(per_step.values()) / count:.3f} ms/{unit} ({steps})")
    ranked = sorted(per_statement.items(), key=lambda item: -item[1])[:largest]
    for (application, step, sql), cpu in ranked:
        print(f"  {1000 * cpu / count:6.3f} ms/{unit}  {application:13} {step:<7} {sql}")


def usage_by_statement(text: str) -> tuple[dict[tuple[str, str, str], float], dict[str, float]]:
    """CPU seconds per (application, step, statement) and per step: a backend logs
    `<STEP> STATISTICS`, then the usage (DETAIL), then the statement."""
    per_statement: dict[tuple[str, str, str], float] = collections.defaultdict(float)
    per_step: dict[str, float] = collections.defaultdict(float)
    step: dict[str, str] = {}
    usage: dict[str, float] = {}
    for entry in re.split(r"\n(?=\[\d+\] )", text):
        match = _ENTRY.match(entry)
        if match is None:
            continue
        pid, application, level, rest = match.groups()
        if level == "LOG" and " STATISTICS" in rest:
            step[pid] = rest.split(" STATISTICS")[0].split(" ")[0]
        elif level == "DETAIL" and (found := _USAGE.search(rest)) is not None:
            usage[pid] = float(found.group(1)) + float(found.group(2))
        elif level == "STATEMENT" and pid in usage:
            cpu, name = usage.pop(pid), step.pop(pid, "?")
            per_step[name] += cpu
            per_statement[(application, name, " ".join(rest.split())[:100])] += cpu
    return per_statement, per_step
