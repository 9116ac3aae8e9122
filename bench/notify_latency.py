"""Notification latency: from a container's exit to the `chat.postMessage` arriving at the fake Slack.

Runs the real `EventWatcher` and `ChannelPoster` against the local engine and the fake Slack (tests/slack,
127.0.0.1 only). 20 containers exit with code 3, one after another; each next one starts only once the
previous message is in and the channel's one-message-a-second pace has passed, so the figure is the
watcher's own latency (event, inspect, logs, the poster's 100 ms burst-gathering window, the HTTP call),
not queueing behind Slack's pace. Exit time is the engine's `State.FinishedAt`; arrival is the fake's clock
(same host). Target: median under 500 ms. Containers carry `dockbot.bench=<id>` and are removed at the end.

    .venv/bin/python -m bench.notify_latency
"""

from __future__ import annotations

import contextlib
import statistics
import time
import uuid

import docker
import docker.errors
from slack_sdk import WebClient

from bot.channel import ChannelPoster, Summary
from bot.notify import EventWatcher, Rules
from bot.notify_render import SUMMARY_COLUMNS
from commands.engine import Engine, parse_time
from tests.slack.fake_slack import FakeSlack
from tests.testbed import TEST_IMAGE

EXITS = 20
TARGET_MEDIAN_MS = 500.0
LABEL = "dockbot.bench"
PACE = 1.05  # seconds after a message before the next exit: the poster sends at most one a second


def one_exit(api: docker.APIClient, slack: FakeSlack, labels: dict[str, str], n: int) -> float:
    """Start a container that exits at once; seconds from its exit to its message reaching the fake."""
    name = f"dockbot-bench-notify-{labels[LABEL]}-{n}"
    api.create_container(TEST_IMAGE, ["sh", "-c", "exit 3"], name=name, labels=labels)
    api.start(name)
    call = slack.wait_for(lambda c: c.method == "chat.postMessage" and f"*{name}*" in c.body["text"], timeout=15)
    finished = parse_time(api.inspect_container(name)["State"]["FinishedAt"]).timestamp()
    return call.at - finished


def main() -> int:
    run_id = uuid.uuid4().hex[:8]
    labels = {LABEL: run_id}
    client = docker.from_env(timeout=60)
    engine = Engine()
    latencies: list[float] = []
    with FakeSlack() as slack:
        poster = ChannelPoster(
            WebClient(token="xoxb-bench", base_url=slack.api_url), "C0BENCH", Summary(SUMMARY_COLUMNS)
        )
        watcher = EventWatcher(engine, poster, rules=Rules(include_labels=(f"{LABEL}={run_id}",)))
        watcher.start()
        try:
            for n in range(EXITS):
                latencies.append(one_exit(client.api, slack, labels, n))
                time.sleep(PACE)
        finally:
            watcher.stop()
            for row in client.api.containers(all=True, filters={"label": f"{LABEL}={run_id}"}):
                with contextlib.suppress(docker.errors.NotFound):
                    client.api.remove_container(row["Id"], force=True)
            client.close()
            engine.close()
    median, worst = statistics.median(latencies) * 1000, max(latencies) * 1000
    verdict = "ok" if median < TARGET_MEDIAN_MS else "OVER TARGET"
    print(f"notify latency over {EXITS} exits: median {median:.0f} ms, max {worst:.0f} ms ({verdict}: median < 500 ms)")
    return 0 if median < TARGET_MEDIAN_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
