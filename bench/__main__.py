"""`python -m bench`: run the cases of issue 6, print one table, write it to bench/RESULTS.md.

Everything the run creates carries `dockbot.bench=<run id>` and is removed at the end, also after a failure
or Ctrl-C (SIGTERM is turned into the same clean exit). Then the latency benchmarks other modules provide
(`bench/ack_latency.py`, `bench/notify_latency.py`) run after the table, if they exist.
"""

from __future__ import annotations

import argparse
import importlib
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

from bench.bed import LABEL, Bed
from bench.cases import Bench, run_all
from bench.harness import Row, table

RESULTS = Path(__file__).with_name("RESULTS.md")
EXTRA = ("bench.ack_latency", "bench.notify_latency")
CASES = ("ps", "cleanup", "logs", "images", "startup")


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def report(rows: list[Row], engine: str, run_id: str, runs: int) -> str:
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return "\n".join(
        [
            "# dockbot benchmark results",
            "",
            f"{stamp} · {engine} · Python {sys.version.split()[0]} · run `{LABEL}={run_id}` · medians of {runs} runs",
            "",
            "dockbot: the whole command (parse, engine, render to the Slack payload); docker CLI: the same work,",
            "measured in the same run, alternating with dockbot. Ratio = dockbot / docker CLI. Memory: peak",
            "tracemalloc growth of dockbot's command. Written by `make bench` (`python -m bench`).",
            "",
            table(rows),
            "",
        ]
    )


def run_extra() -> int:
    """The other latency benchmarks, each `main() -> int`, imported only now; a missing one is skipped."""
    status = 0
    for module in EXTRA:
        try:
            main = importlib.import_module(module).main
        except ModuleNotFoundError as err:
            if err.name != module:
                raise
            print(f"\nbench: {module} not found, skipped.")
            continue
        print(f"\nbench: {module}", flush=True)
        argv, sys.argv = sys.argv, [module]  # they parse their own options: give them none of ours
        try:
            status = int(main() or 0) or status
        finally:
            sys.argv = argv
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--runs", type=int, default=7, help="timed runs per case and side (default 7)")
    parser.add_argument("--only", action="append", choices=CASES, help="run only this case (repeatable)")
    parser.add_argument("--no-extra", action="store_true", help="skip ack_latency and notify_latency")
    parser.add_argument("--no-write", action="store_true", help=f"do not write {RESULTS.name}")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    bed = Bed()
    bench = Bench(bed, args.runs)
    try:
        engine = bed.engine_version()
        print(f"bench: run {bed.label} against {engine}", file=sys.stderr)
        rows = run_all(bench, set(args.only) if args.only else None)
    finally:
        problems = bed.remove_all()
        bench.engine.close()
        bed.close()
        for problem in problems:
            print(f"bench: could not remove {problem}", file=sys.stderr)
    text = report(rows, engine, bed.run_id, args.runs)
    print()
    print(text)
    if not args.no_write and not args.only:
        RESULTS.write_text(text)
        print(f"bench: written to {RESULTS}", file=sys.stderr)
    status = 0 if all(r.met for r in rows) else 1
    if not args.no_extra:
        status = run_extra() or status
    return status


if __name__ == "__main__":
    raise SystemExit(main())
