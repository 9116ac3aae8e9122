"""The six cases of issue 6: each sets up its own labelled objects, measures, and removes them again.

dockbot's side is always the whole command as the Slack front end runs it: `parse`, the command against
the real engine, and `bot.slack_render.render` down to the Slack payload (or the `Upload` for long output).
"""

from __future__ import annotations

import dataclasses
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from slack_sdk import WebClient

from bench.bed import LABEL, Bed
from bench.harness import Row, Work, compare, docker_cli, peak_growth, shell
from bot.dispatch import Answer, Invocation, Proposal
from bot.slack_render import Upload, render
from commands import Context, DestructiveCommand, parse
from commands.engine import Engine
from commands.presets import Presets
from tests.slack.fake_slack import FakeSlack

ROOT = Path(__file__).resolve().parent.parent
USER = "UBENCH"
CHANNEL = "CBENCH"
LOG_LINES = 1_000_000
# awk in the busybox test image writes the lines; realistic length (~80 bytes), not just numbers.
LOG_SCRIPT = (
    f"BEGIN {{ for (i = 1; i <= {LOG_LINES}; i++) "
    'printf "2024-05-01T12:00:00Z INFO request %d: GET /api/v1/items?page=%d 200 OK in %d ms\\n", i, i % 97, i % 13 }'
)

CLEANUP_RUNS = 5
"""Each cleanup run needs 200 freshly exited containers (about 20 s to make on 2 cores): fewer runs."""
SETTLE = 1.0

Case = Callable[["Bench"], Row]


@dataclasses.dataclass
class Bench:
    """What every case shares: the bed, dockbot's engine and context, and how often to repeat."""

    bed: Bed
    runs: int
    engine: Engine = dataclasses.field(default_factory=Engine)

    @property
    def ctx(self) -> Context:
        return Context(self.engine, Presets.empty())

    def command(self, text: str) -> Work:
        """dockbot's whole command for `text`, rendered to its Slack payload (returned for checking)."""

        def call() -> object:
            command = parse(text)
            result = command.run(self.ctx)
            return render(Answer(command.command_name(), result), Invocation(text, USER, CHANNEL))

        return call


def _ratio_row(case: str, bench: Bench, mine: Work, cli: Work, limit: float, memory: int | None = None) -> Row:
    dockbot, docker = compare(mine, cli, runs=bench.runs)
    assert docker is not None
    return Row(case, dockbot, docker, memory, f"ratio ≤ {limit}", dockbot / docker <= limit, bench.runs)


def ps_all(bench: Bench) -> Row:
    """1. `ps -a` with 500 containers (created, never started) vs `docker ps -a`."""
    bench.bed.create("ps", 500, ["true"])
    try:
        mine = bench.command("ps -a")
        out = mine()
        assert isinstance(out, Upload) and out.content.count("\n") >= 500, "ps -a did not list 500 containers"
        return _ratio_row("ps -a, 500 containers", bench, mine, docker_cli("ps", "-a"), 0.6, peak_growth(mine))
    finally:
        bench.bed.remove_containers("ps")


def cleanup(bench: Bench) -> Row:
    """2. `cleanup` of 200 exited containers vs `docker rm -v $(docker ps -aq -f status=exited)`, both
    restricted to this run's containers; the 200 are made again (untimed) before every single run."""
    bed = bench.bed
    runs = min(bench.runs, CLEANUP_RUNS)
    ours: set[str] = set()

    def setup() -> None:
        bed.remove_containers("cleanup")
        ours.clear()
        ours.update(bed.create_exited("cleanup", 200))
        time.sleep(SETTLE)  # let the engine finish with 200 exits before either side is timed

    def mine() -> None:
        invocation = Invocation("cleanup", USER, CHANNEL)
        command = parse("cleanup")
        assert isinstance(command, DestructiveCommand)
        plan = command.plan(bench.ctx)
        # Only what this run made: never remove anything else that happens to have exited.
        plan = dataclasses.replace(plan, targets=tuple(t for t in plan.targets if t.id in ours))
        render(Proposal(command.command_name(), plan, "bench-token"), invocation)
        outcome = command.execute(bench.ctx, plan)
        render(Answer(command.command_name(), outcome), invocation)
        assert len(outcome.changed) == 200 and outcome.ok, outcome.summary

    cli = shell(f"docker rm -v $(docker ps -aq -f status=exited -f label={bed.label} -f label={LABEL}.kind=cleanup)")
    try:
        dockbot, docker = compare(mine, cli, runs=runs, setup=setup, warmup=False)
        memory = peak_growth(mine, setup)
    finally:
        bed.remove_containers("cleanup")
    assert docker is not None
    return Row("cleanup, 200 exited", dockbot, docker, memory, "ratio ≤ 1.0", dockbot / docker <= 1.0, runs)


def make_log_container(bench: Bench) -> str:
    """A container that wrote LOG_LINES lines and exited; returns its name."""
    (cid,) = bench.bed.create("logs", 1, ["awk", LOG_SCRIPT])
    bench.bed.api.start(cid)
    bench.bed.wait_exited([cid])
    return bench.bed.name("logs", 0)


def logs_tail(bench: Bench, name: str) -> Row:
    """3. `logs --tail 100` on 1,000,000 lines vs `docker logs --tail 100`; memory growth < 5 MB."""
    mine = bench.command(f"logs {name} --tail 100")
    out = mine()
    assert isinstance(out, dict) and "last 100 lines" in out["text"], out
    memory = peak_growth(mine)
    dockbot, docker = compare(mine, docker_cli("logs", "--tail", "100", name), runs=bench.runs)
    assert docker is not None
    met = dockbot / docker <= 0.5 and memory < 5_000_000
    return Row("logs --tail 100, 1M lines", dockbot, docker, memory, "ratio ≤ 0.5, memory < 5 MB", met, bench.runs)


def logs_upload(bench: Bench, name: str) -> Row:
    """4. `logs --tail 5000` rendered and uploaded to the fake Slack as a file (as bot/conversation.py does)."""
    with FakeSlack() as fake:
        client = WebClient(token="xoxb-bench", base_url=fake.api_url)
        command = bench.command(f"logs {name} --tail 5000")

        def mine() -> None:
            out = command()
            assert isinstance(out, Upload), "5000 log lines were not an upload"
            client.files_upload_v2(
                channel=CHANNEL, filename=out.filename, content=out.content, title=out.filename, snippet_type="text"
            )

        memory = peak_growth(mine)
        dockbot, docker = compare(mine, docker_cli("logs", "--tail", "5000", name), runs=bench.runs)
        uploaded = [u for u in fake.uploads.values() if u.completed is not None]
        assert uploaded and uploaded[-1].content and uploaded[-1].content.count(b"\n") >= 4999
    return Row("logs --tail 5000 + upload", dockbot, docker, memory, "under 1 s", dockbot < 1.0, bench.runs)


def logs_cases(bench: Bench) -> list[Row]:
    """3 and 4 share one container with a million log lines."""
    try:
        name = make_log_container(bench)
        return [logs_tail(bench, name), logs_upload(bench, name)]
    finally:
        bench.bed.remove_containers("logs")


def images(bench: Bench) -> Row:
    """5. `images` with 100 images vs `docker images`."""
    bench.bed.commit_images(100)
    try:
        mine = bench.command("images")
        out = mine()
        shown = out.content if isinstance(out, Upload) else json.dumps(out)
        assert shown.count(bench.bed.run_id) >= 100, "images did not list the 100 images"
        return _ratio_row("images, 100 images", bench, mine, docker_cli("images"), 0.6, peak_growth(mine))
    finally:
        bench.bed.remove_images()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start_to_ready(fake: FakeSlack, workdir: Path, timeout: float = 15.0) -> float:
    """Seconds from spawning `python -m bot serve --http` until GET /healthz answers 200."""
    port = _free_port()
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": "xoxb-bench",
        "SLACK_SIGNING_SECRET": "bench-secret",
        "SLACK_API_URL": fake.api_url,
        "SLACK_APP_TOKEN": "",
        "CHATOPS_AUDIT_DB": str(workdir / "audit.db"),
        "CHATOPS_DOCKER_GROUP_USERS": USER,
    }
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    url = f"http://127.0.0.1:{port}/healthz"
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--http", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        while True:
            try:
                with opener.open(url, timeout=1) as answer:
                    if answer.status == 200:
                        return time.perf_counter() - started
            except OSError:
                pass
            if process.poll() is not None:
                error = process.stderr.read().decode() if process.stderr else ""
                raise RuntimeError(f"the bot exited with {process.returncode}: {error[-2000:]}")
            if time.perf_counter() - started > timeout:
                raise TimeoutError(f"/healthz did not answer within {timeout} s")
            time.sleep(0.005)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def startup(bench: Bench) -> Row:
    """6. Bot start (`python -m bot serve --http`, fake Slack) until /healthz answers: under 1.5 s."""
    with FakeSlack() as fake, tempfile.TemporaryDirectory(prefix="dockbot-bench-") as tmp:
        times = []
        _start_to_ready(fake, Path(tmp))  # warm the page cache, as a restart of a deployed bot would find it
        for _ in range(bench.runs):
            times.append(_start_to_ready(fake, Path(tmp)))
    median = statistics.median(times)
    return Row("bot start to /healthz", median, None, None, "under 1.5 s", median < 1.5, bench.runs)


def run_all(bench: Bench, only: set[str] | None = None) -> list[Row]:
    """Every case in the issue's order (3 and 4 together); `only` picks some by name."""
    rows: list[Row] = []
    steps: list[tuple[str, Callable[[Bench], Row | list[Row]]]] = [
        ("ps", ps_all),
        ("cleanup", cleanup),
        ("logs", logs_cases),
        ("images", images),
        ("startup", startup),
    ]
    for name, step in steps:
        if only and name not in only:
            continue
        print(f"bench: {name} ...", file=sys.stderr, flush=True)
        got = step(bench)
        rows.extend(got if isinstance(got, list) else [got])
    return rows
