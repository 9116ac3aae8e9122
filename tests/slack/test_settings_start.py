"""Bad settings stop `python -m bot serve` with one clear line naming the variable, never a traceback."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests.slack.bot_process import bot_env, free_port, run_to_exit
from tests.slack.fake_slack import FakeSlack


def refused(finished_stderr: str) -> list[str]:
    assert "Traceback" not in finished_stderr, finished_stderr
    return [line for line in finished_stderr.splitlines() if line.strip()]


@pytest.mark.parametrize(
    ("overrides", "args", "variable"),
    [
        ({"SLACK_BOT_TOKEN": "xoxp-a-user-token"}, ["--http"], "SLACK_BOT_TOKEN"),
        ({"SLACK_SIGNING_SECRET": None}, ["--http"], "SLACK_SIGNING_SECRET"),
        ({"SLACK_SIGNING_SECRET": ""}, ["--http"], "SLACK_SIGNING_SECRET"),
        ({"CHATOPS_PRESETS_FILE": "/nonexistent/presets.yml"}, ["--http"], "CHATOPS_PRESETS_FILE"),
        ({"CHATOPS_PRESETS_FILE": "."}, ["--http"], "CHATOPS_PRESETS_FILE"),
        ({"CHATOPS_PRESETS_FILE": "bad.yml"}, ["--http"], "CHATOPS_PRESETS_FILE"),
        ({"SLACK_APP_TOKEN": "xoxb-not-an-app-token"}, [], "SLACK_APP_TOKEN"),
        ({}, ["--socket"], "SLACK_APP_TOKEN"),
    ],
)
def test_bad_settings_stop_the_start_with_one_line(
    tmp_path: Path, overrides: dict[str, str | None], args: list[str], variable: str
) -> None:
    (tmp_path / "bad.yml").write_text("services:\n  web:\n    image: x\n    privileged: true\n")
    # Nothing may reach Slack before the settings are checked: the API URL points at a closed port.
    env = bot_env(f"http://127.0.0.1:{free_port()}/api/", tmp_path, **overrides)
    finished = run_to_exit(["serve", *args, "--port", str(free_port())], env, tmp_path)
    assert finished.code != 0
    lines = refused(finished.stderr)
    assert len(lines) == 1, lines
    assert variable in lines[0] and lines[0].startswith("dockbot cannot start")


def test_a_token_slack_rejects_stops_the_start(tmp_path: Path) -> None:
    with FakeSlack() as fake:
        fake.fail_next("auth.test", error="invalid_auth")
        env = bot_env(fake.api_url, tmp_path)
        finished = run_to_exit(["serve", "--http", "--port", str(free_port())], env, tmp_path)
    assert finished.code != 0
    lines = refused(finished.stderr)
    assert "SLACK_BOT_TOKEN" in lines[-1] and "invalid_auth" in lines[-1]


def test_a_port_in_use_stops_the_start_clearly(tmp_path: Path) -> None:
    with FakeSlack() as fake, socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        env = bot_env(fake.api_url, tmp_path)
        finished = run_to_exit(["serve", "--http", "--port", port], env, tmp_path)
    assert finished.code != 0
    lines = refused(finished.stderr)
    assert lines[-1].startswith("dockbot cannot start: --port") and port in lines[-1], lines
