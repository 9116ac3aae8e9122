"""Slack-tier fixtures: one fake Slack and one real dockbot HTTP process for the session.

Every message the fake receives is checked against Slack's limits after each test, and no response_url
may be used more than Slack's 5 times.
"""

from __future__ import annotations

import contextlib
import json
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docker
import docker.errors
import pytest

from tests.slack.bot_process import BotProcess, SlackSender, bot_env, free_port
from tests.slack.fake_slack import FakeSlack
from tests.slack.limits import check_message
from tests.slack.wire import Call, json_reply, start_server
from tests.testbed import RUN_ID, TEST_IMAGE, TEST_LABEL

LOG_LINES = 6000
MESSAGE_METHODS = ("chat.postMessage", "chat.update", "chat.postEphemeral")


def presets_yaml() -> str:
    """Presets from the test image, labelled with the run id so the session cleanup finds what they start."""
    services = {
        "chatty": {
            "image": TEST_IMAGE,
            "command": ["sh", "-c", f"seq 1 {LOG_LINES}"],
            "labels": {TEST_LABEL: RUN_ID},
        },
        "sleeper": {"image": TEST_IMAGE, "command": ["sleep", "300"], "labels": {TEST_LABEL: RUN_ID}},
    }
    return json.dumps({"services": services}, indent=2)  # JSON is YAML


@pytest.fixture(scope="session")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("slack")


@pytest.fixture(scope="session")
def presets_file(workdir: Path) -> Path:
    path = workdir / "presets.yml"
    path.write_text(presets_yaml())
    return path


@pytest.fixture(scope="session")
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as server:
        yield server


@pytest.fixture(scope="session")
def bot(fake: FakeSlack, workdir: Path, presets_file: Path, docker_client: docker.DockerClient) -> Iterator[BotProcess]:
    """dockbot in HTTP mode as a real process, healthy, talking to the fake Slack."""
    port = free_port()
    env = bot_env(fake.api_url, workdir, CHATOPS_PRESETS_FILE=str(presets_file))
    process = BotProcess(["--http", "--port", str(port)], env, workdir, port=port)
    try:
        process.wait_healthy()
        yield process
    finally:
        process.stop()


@pytest.fixture(scope="session")
def slack(bot: BotProcess) -> SlackSender:
    assert bot.port is not None
    return SlackSender(bot.port)


@pytest.fixture
def name() -> str:
    """A fresh response_url name for one exchange."""
    return uuid.uuid4().hex[:10]


def limit_problems(calls: list[Call]) -> list[str]:
    """Every Slack limit broken by a message, and every response_url used more than 5 times."""
    problems = []
    uses: dict[str, int] = {}
    for call in calls:
        if call.method.startswith("/response/"):
            uses[call.method] = uses.get(call.method, 0) + 1
        if call.method.startswith("/response/") or call.method in MESSAGE_METHODS:
            problems += [f"{call.method}: {p}" for p in check_message(call.body)]
        if call.method == "files.completeUploadExternal" and call.body.get("initial_comment"):
            problems += [f"{call.method}: {p}" for p in check_message({"text": call.body["initial_comment"]})]
    problems += [f"{path}: used {n} times (Slack allows 5)" for path, n in uses.items() if n > 5]
    return problems


@pytest.fixture(autouse=True)
def _every_message_within_limits(request: pytest.FixtureRequest) -> Iterator[None]:
    """After each test that talks to a bot: everything the fake received so far respects Slack's limits.

    (test_fakes.py feeds its own fake broken messages on purpose, so only bot tests are checked.)
    """
    yield
    if {"bot", "socket_bot", "slack"} & set(request.fixturenames):
        fake: FakeSlack = request.getfixturevalue("fake")
        problems = limit_problems(fake.calls)
        assert not problems, "Slack would refuse:\n  " + "\n  ".join(problems)


@pytest.fixture
def container(docker_client: docker.DockerClient, test_labels: dict[str, str]) -> Iterator[Any]:
    """Make labelled containers from the test image (running `sleep 300` unless told); returns the name."""
    made: list[str] = []

    def make(command: tuple[str, ...] = ("sleep", "300"), *, start: bool = True) -> str:
        cname = f"dockbot-test-{RUN_ID}-slack-{uuid.uuid4().hex[:6]}"
        docker_client.api.create_container(TEST_IMAGE, list(command), name=cname, labels=test_labels)
        made.append(cname)
        if start:
            docker_client.api.start(cname)
        return cname

    yield make
    for cname in made:
        with contextlib.suppress(docker.errors.NotFound):
            docker_client.api.remove_container(cname, force=True, v=True)


class HeldResponseUrl:
    """A response_url endpoint that holds every post until `release()`: keeps the bot's workers busy."""

    def __init__(self) -> None:
        self._released = threading.Event()
        self._cond = threading.Condition()
        self.held = 0
        self.answered = 0
        self._server, self._thread = start_server(self._handle, "held-response-url")
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def _handle(self, path: str, headers: dict[str, str], raw: bytes) -> tuple[int, dict[str, str], bytes]:
        with self._cond:
            self.held += 1
            self._cond.notify_all()
        self._released.wait(30)
        with self._cond:
            self.answered += 1
            self._cond.notify_all()
        return json_reply(200, {"ok": True})

    def wait(self, attribute: str, count: int, timeout: float) -> None:
        with self._cond:
            ok = self._cond.wait_for(lambda: getattr(self, attribute) >= count, timeout)
        assert ok, f"{attribute}: {getattr(self, attribute)} < {count} after {timeout}s"

    def release(self) -> None:
        self._released.set()

    def close(self) -> None:
        self.release()
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def held_response_url() -> Iterator[HeldResponseUrl]:
    server = HeldResponseUrl()
    yield server
    server.close()
