"""Team channel notifications against the real engine and the fake Slack: exactly what the channel reads.

Each test's watcher only hears containers carrying its own label, so other tests on the engine do not
leak in. To assert that nothing else was said, a test ends with a *marker* container that exits 9: the
channel is FIFO, so once the marker's message is in, everything told before it is in too.
"""

from __future__ import annotations

import contextlib
import re
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import docker
import docker.errors
import pytest
from slack_sdk import WebClient

from bot import messages
from bot.channel import ChannelPoster, Summary
from bot.dispatch import Answer, Dispatcher, Invocation
from bot.incidents import Folder
from bot.notify import EventWatcher, Rules
from bot.notify_render import SUMMARY_COLUMNS
from commands.engine import Engine
from commands.presets import Presets
from tests.engine.helpers import unique, wait_until
from tests.engine.own_engine import OwnDockerd
from tests.slack.fake_slack import FakeSlack
from tests.slack.limits import assert_within_limits
from tests.testbed import TEST_IMAGE

pytestmark = pytest.mark.engine
CHANNEL = "C0NOTIFY"
TAG = "dockbot.notify-test"


class Bed:
    """One watcher on one engine, a fake Slack, and labelled containers made to order."""

    def __init__(self, engine: Engine, client: docker.DockerClient, labels: dict[str, str], **watch: Any) -> None:
        self.engine, self.client = engine, client
        self.tag = uuid.uuid4().hex[:8]
        self.labels = {**labels, TAG: self.tag}
        self.slack = FakeSlack()
        poster = ChannelPoster(WebClient(token="xoxb-test", base_url=self.slack.api_url), CHANNEL,
                               Summary(SUMMARY_COLUMNS))  # fmt: skip
        rules = Rules(include_labels=(f"{TAG}={self.tag}",))
        self.watcher = EventWatcher(engine, poster, rules=rules, **watch)
        self.made: list[str] = []

    def run(self, command: Sequence[str], *, kind: str = "n", env: dict[str, str] | None = None, **host: Any) -> str:
        api = self.client.api
        name = unique(kind)
        healthcheck = host.pop("healthcheck", None)
        api.create_container(TEST_IMAGE, list(command), name=name, labels=self.labels, environment=env,
                             healthcheck=healthcheck, host_config=api.create_host_config(**host))  # fmt: skip
        self.made.append(name)
        api.start(name)
        return name

    def posts(self) -> list[str]:
        return [c.body["text"] for c in self.slack.calls_to("chat.postMessage")]

    def marker(self) -> str:
        """Crash a marker container and wait for its message: the channel has said all it will before it."""
        name = self.run(["sh", "-c", "exit 9"], kind="marker")
        self.slack.wait_for(lambda c: c.method == "chat.postMessage" and f"*{name}*" in c.body["text"], timeout=20)
        return messages.notify_exit(name, TEST_IMAGE, 9, "")

    def close(self) -> None:
        self.watcher.stop()
        self.slack.close()
        for name in self.made:
            with contextlib.suppress(docker.errors.NotFound):
                self.client.api.remove_container(name, force=True, v=True)


@pytest.fixture
def bed(engine: Engine, docker_client: docker.DockerClient, test_labels: dict[str, str]) -> Iterator[Bed]:
    made = Bed(engine, docker_client, test_labels)
    made.watcher.start()
    yield made
    made.close()


def without_run_time(text: str) -> str:
    return re.sub(r" after \d+ (ms|s)\.$", ".", text)


def test_a_crash_is_told_once_with_code_run_time_and_masked_logs(bed: Bed) -> None:
    name = bed.run(
        ["sh", "-c", "echo starting; echo token=$API_TOKEN; sleep 1; exit 3"], env={"API_TOKEN": "s3cr3t-v4lue"}
    )
    call = bed.slack.wait_for("chat.postMessage", timeout=20)
    ran = re.escape(messages.notify_exit(name, TEST_IMAGE, 3, "RAN")).replace("RAN", r"(9\d\d ms|1 s)")
    assert re.fullmatch(ran, call.body["text"]), call.body["text"]  # it slept 1 s
    assert call.body["channel"] == CHANNEL
    assert call.body["blocks"][-1]["text"]["text"] == "```starting\ntoken=***```"
    assert_within_limits(call.body)
    marker = bed.marker()
    assert [without_run_time(t) for t in bed.posts()] == [messages.notify_exit(name, TEST_IMAGE, 3, ""), marker]
    assert "s3cr3t-v4lue" not in bed.slack.all_text()


def test_an_oom_kill_is_one_message(bed: Bed) -> None:
    name = bed.run(["sh", "-c", "x=a; while true; do x=$x$x; done"], kind="oom", mem_limit="6m", memswap_limit="6m")
    oom = re.escape(messages.notify_oom(name, TEST_IMAGE, "RAN")).replace("RAN", r"\d+ m?s")

    def latest() -> str:  # an `oom` that comes after its `die` corrects the message already posted
        calls = bed.slack.calls_to("chat.update") or bed.slack.calls_to("chat.postMessage")
        return str(calls[-1].body["text"]) if calls else ""

    wait_until(lambda: re.fullmatch(oom, latest()), timeout=30, what="the OOM message")
    assert len(bed.posts()) == 1
    marker = bed.marker()
    assert [without_run_time(t) for t in bed.posts()[1:]] == [marker]


def test_unhealthy_then_healthy_again(bed: Bed) -> None:
    check = {"test": ["CMD-SHELL", "test ! -e /sick"], "interval": 200_000_000, "retries": 1}
    name = bed.run(["sh", "-c", "touch /sick; sleep 2; rm /sick; sleep 300"], kind="health", healthcheck=check)
    bed.slack.wait_for("chat.postMessage", timeout=20, count=2)
    marker = bed.marker()
    assert [without_run_time(t) for t in bed.posts()] == [
        messages.notify_unhealthy(name, TEST_IMAGE),
        messages.notify_healthy(name, TEST_IMAGE),
        marker,
    ]


def test_a_docker_stop_outside_dockbot_is_no_crash(bed: Bed) -> None:
    name = bed.run(["sleep", "300"], kind="stopped")
    bed.client.api.stop(name, timeout=1)  # sleep ignores SIGTERM: kill 15, kill 9, die 137, stop
    marker = bed.marker()
    assert [without_run_time(t) for t in bed.posts()] == [marker]


def test_a_restart_loop_is_one_message_kept_up_to_date(bed: Bed) -> None:
    name = bed.run(["sh", "-c", "echo boom; exit 1"], kind="loop", restart_policy={"Name": "always"})
    looping = re.escape(messages.notify_restart_loop(name, TEST_IMAGE, 99, "SPAN", 1))
    looping = looping.replace("99", r"(\d+)").replace("SPAN", r"\d+ m?s")

    def latest() -> str:
        calls = bed.slack.calls_to("chat.update") or bed.slack.calls_to("chat.postMessage")
        return str(calls[-1].body["text"]) if calls else ""

    wait_until(lambda: (m := re.fullmatch(looping, latest())) and int(m.group(1)) >= 4, timeout=30, what="the loop")
    bed.client.api.remove_container(name, force=True)
    marker = bed.marker()
    posts = bed.slack.calls_to("chat.postMessage")
    first = without_run_time(posts[0].body["text"])
    assert first == messages.notify_exit(name, TEST_IMAGE, 1, "") or re.fullmatch(looping, first)
    assert len({c.body["ts"] for c in bed.slack.calls_to("chat.update")}) == 1  # the fake refuses unknown ts
    assert [without_run_time(t) for t in bed.posts()][1:] == [marker]


def test_twenty_exits_at_once_are_one_summary(bed: Bed, tmp_path: Path) -> None:
    binds = {str(tmp_path): {"bind": "/signal", "mode": "ro"}}
    waiting = "until [ -e /signal/go ]; do sleep 0.05; done; exit 4"
    names = [bed.run(["sh", "-c", waiting], kind=f"burst{i}", binds=binds) for i in range(20)]
    (tmp_path / "go").touch()

    def summary() -> dict[str, Any]:
        told = [c.body for c in bed.slack.calls if c.method in ("chat.postMessage", "chat.update")]
        return told[-1] if told else {"text": ""}

    wait_until(lambda: summary()["text"] == messages.notify_burst(20), timeout=30, what="all 20 in the summary")
    marker = bed.run(["sh", "-c", "exit 9"], kind="marker")  # right after a burst: it joins the summary
    wait_until(lambda: summary()["text"] == messages.notify_burst(21), timeout=30, what="the marker in the summary")
    table = summary()["blocks"][1]["text"]["text"]
    assert all(re.search(rf"\n{n} +{re.escape(TEST_IMAGE)} +exited +4\n", table) for n in names), table
    assert re.search(rf"\n{marker} +{re.escape(TEST_IMAGE)} +exited +9```", table), table
    assert_within_limits(summary())
    # One message: posted as the summary, or (on a loaded host, the first exit arriving a little early)
    # posted for that exit and then turned into the summary; either way every update goes to it.
    assert len(bed.slack.calls_to("chat.postMessage")) == 1
    assert len({c.body["ts"] for c in bed.slack.calls_to("chat.update")}) == 1


def test_a_stop_through_dockbot_is_told_as_that_stop(bed: Bed, engine: Engine) -> None:
    first, second = (bed.run(["sleep", "300"], kind="claimed") for _ in range(2))
    dispatcher = Dispatcher(engine, Presets.empty(), on_claim=bed.watcher.claim)
    reply = dispatcher.handle(Invocation(f"stop {first} {second} -t 1", user="UALICE"))
    assert isinstance(reply, Answer)
    bed.marker()
    told = [c.body["text"] for c in bed.slack.calls_to("chat.postMessage") + bed.slack.calls_to("chat.update")]
    both = {messages.notify_action("UALICE", "stop", [first, second]),
            messages.notify_action("UALICE", "stop", [second, first])}  # fmt: skip
    assert told[-1] in both or told[-2] in both, told
    assert not any("exited with code 137" in t for t in told), told
    assert len(bed.slack.calls_to("chat.postMessage")) == 2  # the action (maybe updated once) and the marker


@pytest.fixture
def own_engine(docker_client: docker.DockerClient) -> Iterator[OwnDockerd]:
    own = OwnDockerd()
    try:
        own.start()
        own.load_test_image(docker_client)
        yield own
    finally:
        own.close()


def test_the_watcher_survives_a_daemon_restart(own_engine: OwnDockerd, test_labels: dict[str, str]) -> None:
    engine, client = Engine(base_url=own_engine.url), own_engine.client()
    watch = Bed(engine, client, test_labels, down_after=0.5, backoff=(0.1, 0.5), folder=Folder())
    watch.watcher.start()
    try:
        before = watch.run(["sh", "-c", "exit 5"], kind="before", network_mode="none")
        watch.slack.wait_for("chat.postMessage", timeout=20)
        own_engine.stop()
        watch.slack.wait_for("chat.postMessage", timeout=20, count=2)
        own_engine.start()
        after = watch.run(["sh", "-c", "exit 6"], kind="after", network_mode="none")  # maybe before reconnecting
        watch.slack.wait_for("chat.postMessage", timeout=20, count=4)
        told = [without_run_time(t) for t in watch.posts()]
        assert told[0] == messages.notify_exit(before, TEST_IMAGE, 5, "")
        assert re.fullmatch(re.escape(messages.engine_down(own_engine.url, "X")).replace("X", r"\d+ m?s"), told[1])
        assert re.fullmatch(re.escape(messages.engine_back("X")).replace("X", r"\d+ m?s"), told[2])
        assert told[3:] == [messages.notify_exit(after, TEST_IMAGE, 6, "")]
        assert told[4:] == [] and without_run_time(watch.marker()) == messages.notify_exit(
            watch.made[-1], TEST_IMAGE, 9, ""
        )
        assert len(watch.posts()) == 5
    finally:
        watch.close()
        client.close()
        engine.close()
