"""Socket Mode end to end: the bot opens a websocket (URL from apps.connections.open), acks envelopes, answers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import docker
import docker.errors
import pytest

from tests.engine.helpers import wait_until
from tests.slack.bot_process import APP_TOKEN, CHANNEL, MEMBER, BotProcess, bot_env
from tests.slack.fake_slack import FakeSlack
from tests.slack.signing import block_actions_payload, slash_command_fields
from tests.slack.socket_server import FakeSocketModeServer
from tests.slack.test_http_mode import answer, buttons, text_of


@pytest.fixture(scope="module")
def socket_server(fake: FakeSlack) -> Iterator[FakeSocketModeServer]:
    with FakeSocketModeServer() as server:
        fake.connections_url = server.url
        yield server
        fake.connections_url = None


@pytest.fixture(scope="module")
def socket_bot(
    fake: FakeSlack, socket_server: FakeSocketModeServer, workdir: Path, presets_file: Path
) -> Iterator[BotProcess]:
    # No signing secret: Socket Mode does not need one (Slack authenticates the websocket instead).
    env = bot_env(
        fake.api_url,
        workdir,
        SLACK_APP_TOKEN=APP_TOKEN,
        SLACK_SIGNING_SECRET=None,
        CHATOPS_PRESETS_FILE=str(presets_file),
    )
    process = BotProcess(["--socket"], env, workdir)
    try:
        socket_server.wait_for_session(timeout=20)
        yield process
    finally:
        process.stop()


def command(text: str, name: str, fake: FakeSlack) -> dict[str, str]:
    return slash_command_fields(text, user_id=MEMBER, channel_id=CHANNEL, response_url=fake.response_url(name))


def test_a_slash_command_envelope_is_acked_and_answered(
    socket_bot: BotProcess, socket_server: FakeSocketModeServer, fake: FakeSlack, name: str
) -> None:
    opened = fake.calls_to("apps.connections.open")
    assert opened and opened[-1].headers["authorization"] == f"Bearer {APP_TOKEN}"
    envelope = socket_server.send_slash_command(command("version", name, fake))
    ack = socket_server.wait_for_ack(envelope, timeout=3)
    assert ack["envelope_id"] == envelope
    reply = answer(fake, name)
    assert reply["response_type"] == "in_channel" and f"<@{MEMBER}> ran `version`" in text_of(reply)
    assert socket_bot.alive()


def test_errors_over_socket_mode_are_warnings(
    socket_bot: BotProcess, socket_server: FakeSocketModeServer, fake: FakeSlack, name: str
) -> None:
    envelope = socket_server.send_slash_command(command("logs", name, fake))
    socket_server.wait_for_ack(envelope, timeout=3)
    assert answer(fake, name)["text"].startswith(":warning:")


def test_confirm_over_socket_mode_removes_the_container(
    socket_bot: BotProcess,
    socket_server: FakeSocketModeServer,
    fake: FakeSlack,
    name: str,
    container: Callable[..., str],
    docker_client: docker.DockerClient,
) -> None:
    doomed = container()
    envelope = socket_server.send_slash_command(command(f"rm -f {doomed}", name, fake))
    socket_server.wait_for_ack(envelope, timeout=3)
    confirm = buttons(answer(fake, name))["Confirm"]
    click = block_actions_payload(
        confirm["action_id"], confirm["value"], user_id=MEMBER, channel_id=CHANNEL,
        response_url=fake.response_url(f"{name}-ok"),
    )  # fmt: skip
    socket_server.wait_for_ack(socket_server.send_interactive(click), timeout=3)
    outcome = answer(fake, f"{name}-ok")
    assert outcome["replace_original"] is True and "Removed" in text_of(outcome)

    def gone() -> bool:
        try:
            docker_client.api.inspect_container(doomed)
        except docker.errors.NotFound:
            return True
        return False

    wait_until(gone, timeout=5, what=f"{doomed} to be removed")
