"""Drive the real bolt App in-process with signed requests, against FakeSlack and the real engine."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from typing import Any

from slack_bolt import App
from slack_bolt.request import BoltRequest

from bot.app import build_app, web_client
from bot.cli import build_dispatcher, build_policy
from bot.dispatch import Dispatcher
from bot.settings import Settings
from bot.slack_directory import SlackDirectory
from tests.slack.fake_slack import FakeSlack
from tests.slack.signing import block_actions_payload, interaction_body, sign, slash_command_body

SECRET = "signing-secret-for-tests-0123456789"
BOT_TOKEN = "xoxb-test-bot-token-0123456789"
_names = itertools.count()


@dataclass
class SlackPath:
    """One bot (app + dispatcher) wired to a FakeSlack, as `python -m bot serve` wires it."""

    fake: FakeSlack
    app: App
    dispatcher: Dispatcher

    def command(self, text: str, *, user: str, channel: str, user_name: str = "alice") -> dict[str, Any]:
        """Send `/docker text` signed as Slack would; return the first post to its response_url."""
        name = f"cmd{next(_names)}"
        body = slash_command_body(
            text, user_id=user, channel_id=channel, response_url=self.fake.response_url(name), user_name=user_name
        )
        self._post(body)
        return dict(self.fake.wait_for(f"/response/{name}").body)

    def click(self, action_id: str, token: str, *, user: str, channel: str) -> dict[str, Any]:
        """Press a button of a plan message; return what the bot posted back."""
        name = f"click{next(_names)}"
        payload = block_actions_payload(
            action_id, token, user_id=user, channel_id=channel, response_url=self.fake.response_url(name)
        )
        self._post(interaction_body(payload))
        return dict(self.fake.wait_for(f"/response/{name}").body)

    def _post(self, body: bytes) -> None:
        headers = {**sign(SECRET, body), "Content-Type": "application/x-www-form-urlencoded"}
        response = self.app.dispatch(BoltRequest(body=body.decode(), headers=headers))
        assert response.status == 200, response.body


def settings_for(fake: FakeSlack, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "slack_bot_token": BOT_TOKEN,
        "slack_signing_secret": SECRET,
        "slack_app_token": None,
        "slack_api_url": fake.api_url,
        "chatops_presets_file": None,
        "chatops_audit_db": ":memory:",
    }
    return Settings(_env_file=None, **(values | overrides))  # type: ignore[call-arg]


def slack_path(fake: FakeSlack, settings: Settings) -> SlackPath:
    client = web_client(settings)
    dispatcher = build_dispatcher(settings, build_policy(settings, SlackDirectory(client)))
    return SlackPath(fake, build_app(settings, dispatcher, client), dispatcher)


def text_of(message: dict[str, Any]) -> str:
    """Everything a person would read in a message, blocks included."""
    return json.dumps(message.get("blocks") or []) + str(message.get("text", ""))
