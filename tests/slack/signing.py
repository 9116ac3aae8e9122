"""Requests as Slack sends them to our HTTP endpoint: signed, form-encoded, with every field Slack adds.

The bot must accept exactly what Slack sends and reject everything else, so the tests build requests
byte for byte the way Slack does (see "Verifying requests from Slack" and the slash command and
block_actions payload references).
"""

import hashlib
import hmac
import json
import time
from typing import Any
from urllib.parse import urlencode

TEAM_ID = "T0001"
TEAM_DOMAIN = "dockbot-test"
APP_ID = "A0001"
TRIGGER_ID = "13345224609.738474920.8088930838d88f008e0"
VERIFICATION_TOKEN = "gIkuvaNzQIHg97ATvDxqgjtO"  # the deprecated token Slack still sends


def sign(secret: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    """Headers Slack adds: ``v0=`` + hex HMAC-SHA256(secret, ``v0:{ts}:{body}``); ts defaults to now."""
    ts = int(time.time()) if timestamp is None else timestamp
    base = b"v0:" + str(ts).encode() + b":" + body
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(ts), "X-Slack-Signature": f"v0={digest}"}


def slash_command_fields(
    text: str,
    *,
    user_id: str,
    channel_id: str,
    response_url: str,
    command: str = "/docker",
    team_id: str = TEAM_ID,
    trigger_id: str = TRIGGER_ID,
    user_name: str = "alice",
    channel_name: str = "ops",
) -> dict[str, str]:
    """The fields of a slash command, in Slack's order; Socket Mode carries them as the payload."""
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "team_domain": TEAM_DOMAIN,
        "channel_id": channel_id,
        "channel_name": channel_name,
        "user_id": user_id,
        "user_name": user_name,
        "command": command,
        "text": text,
        "api_app_id": APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id,
    }


def slash_command_body(text: str, **fields: Any) -> bytes:
    """A slash command's HTTP body, form-encoded (``application/x-www-form-urlencoded``) as Slack posts it;
    ``fields`` are those of `slash_command_fields`."""
    return urlencode(slash_command_fields(text, **fields)).encode()


def interaction_body(payload: dict[str, Any]) -> bytes:
    """An interactive request's HTTP body: one form field ``payload`` holding the JSON, as Slack posts it."""
    return urlencode({"payload": json.dumps(payload, separators=(",", ":"))}).encode()


def block_actions_payload(
    action_id: str,
    value: str,
    *,
    user_id: str,
    channel_id: str,
    response_url: str,
    block_id: str = "actions",
    message_ts: str = "1700000000.000100",
    is_ephemeral: bool = True,
) -> dict[str, Any]:
    """A button click as Slack reports it; ephemeral by default, like clicks on ``respond()`` replies.

    Slack omits ``message`` for ephemeral messages, so handlers must not rely on it.
    """
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": user_id, "username": "alice", "name": "alice", "team_id": TEAM_ID},
        "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN,
        "container": {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel_id,
            "is_ephemeral": is_ephemeral,
        },
        "trigger_id": TRIGGER_ID,
        "team": {"id": TEAM_ID, "domain": TEAM_DOMAIN},
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": channel_id, "name": "ops"},
        "state": {"values": {}},
        "response_url": response_url,
        "actions": [
            {
                "action_id": action_id,
                "block_id": block_id,
                "text": {"type": "plain_text", "text": action_id, "emoji": True},
                "value": value,
                "type": "button",
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }
    if not is_ephemeral:
        payload["message"] = {"type": "message", "ts": message_ts, "text": "", "blocks": []}
    return payload
