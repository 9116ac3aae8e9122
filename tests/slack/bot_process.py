"""dockbot as a real process (`python -m bot serve ...`), and a client that talks to it the way Slack does.

Used by the Slack tier's fixtures and by `bench/ack_latency.py`. Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.slack.signing import interaction_body, sign, slash_command_body

REPO = Path(__file__).resolve().parents[2]
PYTHON = REPO / ".venv" / "bin" / "python"
BOT_TOKEN = "xoxb-0001-0002-dockbottest"
APP_TOKEN = "xapp-1-A0001-0003-dockbottest"
SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
MEMBER = "U0ALICE"  # in the docker group
OUTSIDER = "U0BOB"  # not in the docker group
CHANNEL = "C0OPS"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bot_env(api_url: str, workdir: Path, **overrides: str | None) -> dict[str, str]:
    """A clean environment for the bot: no SLACK_/CHATOPS_ variables leak in from the caller's shell."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "CHATOPS_"))}
    env |= {
        "PYTHONPATH": str(REPO),
        "PYTHONUNBUFFERED": "1",
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_APP_TOKEN": "",
        "SLACK_API_URL": api_url,
        "CHATOPS_DOCKER_GROUP_USERS": MEMBER,
        "CHATOPS_AUDIT_DB": str(workdir / "audit.db"),
    }
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


@dataclass
class Finished:
    code: int
    stdout: str
    stderr: str


def run_to_exit(args: list[str], env: dict[str, str], workdir: Path, timeout: float = 30) -> Finished:
    """Run `python -m bot ARGS` expecting it to stop by itself (e.g. refusing bad settings)."""
    done = subprocess.run(
        [str(PYTHON), "-m", "bot", *args], env=env, cwd=workdir, capture_output=True, text=True, timeout=timeout
    )
    return Finished(done.returncode, done.stdout, done.stderr)


class BotProcess:
    """`python -m bot serve ARGS` in the background; its output goes to a file (read it with `log()`)."""

    def __init__(self, args: list[str], env: dict[str, str], workdir: Path, port: int | None = None) -> None:
        self.port = port
        self.log_path = workdir / f"bot-{time.monotonic_ns()}.log"
        self._log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            [str(PYTHON), "-m", "bot", "serve", *args],
            env=env,
            cwd=workdir,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def wait_healthy(self, timeout: float = 20) -> dict[str, Any]:
        """Poll GET /healthz until it answers 200; fail early if the process dies."""
        deadline = time.monotonic() + timeout
        while True:
            if not self.alive():
                raise AssertionError(f"bot exited with {self.proc.returncode}:\n{self.log()}")
            try:
                status, body = self.get("/healthz")
                if status == 200:
                    return dict(json.loads(body))
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"bot not healthy within {timeout}s:\n{self.log()}")
            time.sleep(0.05)

    def get(self, path: str) -> tuple[int, bytes]:
        assert self.port is not None
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def stop(self) -> None:
        if self.alive():
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._log.close()


@dataclass(frozen=True)
class Sent:
    status: int
    body: bytes
    seconds: float  # from sending the request to the complete answer (Slack's ack timer)


class SlackSender:
    """Posts to the bot's /slack/events exactly as Slack does: form-encoded, signed."""

    def __init__(self, port: int, secret: str = SECRET) -> None:
        self.port = port
        self.secret = secret

    def post(self, body: bytes, headers: dict[str, str] | None = None, path: str = "/slack/events") -> Sent:
        all_headers = {"Content-Type": "application/x-www-form-urlencoded", "User-Agent": "Slackbot 1.0"}
        all_headers |= headers if headers is not None else sign(self.secret, body)
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            started = time.perf_counter()
            conn.request("POST", path, body=body, headers=all_headers)
            response = conn.getresponse()
            data = response.read()
            return Sent(response.status, data, time.perf_counter() - started)
        finally:
            conn.close()

    def command(self, text: str, response_url: str, *, user: str = MEMBER, channel: str = CHANNEL) -> Sent:
        return self.post(slash_command_body(text, user_id=user, channel_id=channel, response_url=response_url))

    def interaction(self, payload: dict[str, Any]) -> Sent:
        return self.post(interaction_body(payload))
