"""Timing, memory and table plumbing shared by the benchmark cases.

Timings are medians over repeated runs; dockbot and the docker CLI alternate within one run so that a
noisy neighbour slows both sides alike. Memory is measured in a separate, untimed run under tracemalloc
(tracing slows Python down, so it never overlaps a timed run).
"""

from __future__ import annotations

import gc
import statistics
import subprocess
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass

Work = Callable[[], object]
Setup = Callable[[], object]


@dataclass(frozen=True)
class Row:
    """One line of the results table."""

    case: str
    dockbot: float
    """Median seconds for dockbot's whole command (parse, engine, render)."""
    cli: float | None
    """Median seconds for the docker CLI doing the same work, or None where there is no CLI equivalent."""
    memory: int | None
    """Peak bytes allocated by dockbot's command beyond what was live before it (tracemalloc)."""
    target: str
    met: bool
    runs: int

    @property
    def ratio(self) -> float | None:
        return self.dockbot / self.cli if self.cli else None


def timed(work: Work) -> float:
    """Seconds one call of `work` takes (garbage collected first, so an old cycle is not billed to it)."""
    gc.collect()
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def compare(
    dockbot: Work, cli: Work | None, *, runs: int, setup: Setup | None = None, warmup: bool = True
) -> tuple[float, float | None]:
    """Medians of `dockbot` and `cli`, alternating; `setup` runs (untimed) before every single run."""
    mine: list[float] = []
    theirs: list[float] = []
    sides: list[tuple[Work, list[float]]] = [(dockbot, mine)] + ([(cli, theirs)] if cli else [])
    if warmup:
        for work, _ in sides:
            if setup:
                setup()
            work()
    for i in range(runs):
        for work, into in sides if i % 2 == 0 else sides[::-1]:
            if setup:
                setup()
            into.append(timed(work))
    return statistics.median(mine), statistics.median(theirs) if theirs else None


def peak_growth(work: Work, setup: Setup | None = None) -> int:
    """Peak bytes `work` allocates beyond what was already live (one untimed run under tracemalloc)."""
    if setup:
        setup()
    gc.collect()
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        work()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return max(0, peak - before)


def docker_cli(*args: str) -> Work:
    """A call of the docker CLI with its output captured (it formats everything, as dockbot must)."""
    argv = ["docker", *args]

    def call() -> None:
        subprocess.run(argv, check=True, capture_output=True)

    return call


def shell(script: str) -> Work:
    """A bash one-liner, for CLI work that needs command substitution."""

    def call() -> None:
        subprocess.run(["bash", "-c", script], check=True, capture_output=True)

    return call


def seconds(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value * 1000:.0f} ms" if value >= 0.01 else f"{value * 1000:.1f} ms"


def megabytes(value: int | None) -> str:
    return "—" if value is None else f"{value / 1e6:.2f} MB"


def table(rows: Sequence[Row]) -> str:
    """The results as a Markdown table (readable in a terminal too)."""
    head = ("Case", "dockbot (median)", "docker CLI (median)", "Ratio", "Peak memory growth", "Target", "Runs", "Met")
    body = [
        (
            r.case,
            seconds(r.dockbot),
            seconds(r.cli),
            "—" if r.ratio is None else f"{r.ratio:.2f}",
            megabytes(r.memory),
            r.target,
            str(r.runs),
            "yes" if r.met else "**NO**",
        )
        for r in rows
    ]
    widths = [max(len(line[i]) for line in [head, *body]) for i in range(len(head))]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (width + 2) for width in widths) + "|"
    return "\n".join([line(head), rule, *(line(cells) for cells in body)])
