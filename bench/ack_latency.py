"""Ack latency of the Slack HTTP endpoint under a burst: 30 concurrent signed `/docker ps -a` requests.

Starts the fake Slack Web API (tests/slack) and dockbot in HTTP mode as a real process (`python -m bot serve
--http`), then fires bursts of 30 signed slash commands at once and measures, per request, the time from
sending to the complete HTTP answer (Slack's 3 s ack timer). Target: max under 300 ms on this 2-core machine.
Also shown: when the answer reached the response_url. Nothing is created on the engine; only 127.0.0.1.

    .venv/bin/python -m bench.ack_latency [--rounds 3] [--burst 30]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.slack.bot_process import BotProcess, Sent, SlackSender, bot_env, free_port
from tests.slack.fake_slack import FakeSlack

TARGET_MAX_MS = 300.0
COMMAND = "ps -a"


def burst(slack: SlackSender, fake: FakeSlack, size: int) -> tuple[list[Sent], list[float]]:
    """`size` commands released together; returns the acks and the seconds until each answer arrived."""
    names = [uuid.uuid4().hex[:12] for _ in range(size)]
    gate = threading.Barrier(size)
    started: dict[str, float] = {}

    def one(name: str) -> Sent:
        gate.wait()
        started[name] = time.time()
        return slack.command(COMMAND, fake.response_url(name))

    with ThreadPoolExecutor(max_workers=size) as pool:
        acks = list(pool.map(one, names))
    answered = [fake.wait_for(f"/response/{name}", timeout=120).at - started[name] for name in names]
    return acks, answered


def row(label: str, values_ms: list[float]) -> str:
    return f"{label:<28} {statistics.median(values_ms):>9.1f} {max(values_ms):>9.1f} {len(values_ms):>5}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ack_latency", description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="bursts to send (default 3)")
    parser.add_argument("--burst", type=int, default=30, help="concurrent requests per burst (default 30)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="dockbot-ack-") as tmp, FakeSlack() as fake:
        workdir = Path(tmp)
        port = free_port()
        bot = BotProcess(["--http", "--port", str(port)], bot_env(fake.api_url, workdir), workdir, port=port)
        try:
            bot.wait_healthy()
            slack = SlackSender(port)
            burst(slack, fake, 3)  # warm up: first requests pay for imports and connection pools
            acks: list[Sent] = []
            answers: list[float] = []
            rounds: list[list[float]] = []
            for _ in range(args.rounds):
                sent, answered = burst(slack, fake, args.burst)
                acks += sent
                answers += answered
                rounds.append([s.seconds * 1000 for s in sent])
        finally:
            bot.stop()

    failed = [s for s in acks if s.status != 200]
    ack_ms = [s.seconds * 1000 for s in acks]
    print(f"ack latency, {args.rounds} bursts of {args.burst} concurrent signed `/docker {COMMAND}` (ms)")
    print(f"{'':<28} {'median':>9} {'max':>9} {'n':>5}")
    for number, values in enumerate(rounds, 1):
        print(row(f"ack, burst {number}", values))
    print(row("ack, all", ack_ms))
    print(row("answer via response_url", [a * 1000 for a in answers]))
    worst = max(ack_ms)
    verdict = "met" if worst < TARGET_MAX_MS else "MISSED"
    print(f"target: max ack < {TARGET_MAX_MS:.0f} ms: {verdict} (max {worst:.1f} ms)")
    if failed:
        print(f"{len(failed)} requests were not acked with 200: {sorted({s.status for s in failed})}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
