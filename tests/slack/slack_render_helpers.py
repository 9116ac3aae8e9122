"""Reading what the bot sent: find a button's value in a message as Slack would show it."""

from __future__ import annotations

from typing import Any


def button_value(message: dict[str, Any], action_id: str) -> str:
    """The value of the button with `action_id` (the plan token for Confirm/Cancel)."""
    for block in message.get("blocks") or []:
        for element in block.get("elements") or []:
            if element.get("action_id") == action_id:
                return str(element["value"])
    raise AssertionError(f"no button {action_id} in {message}")
