"""Every state-changing action, told in the team channel: who did what, to which containers, with what result."""

from __future__ import annotations

from typing import Any, Protocol

from bot.dispatch import CONFIRM_PREFIX, Invocation
from bot.slack_render import escape
from commands import parse
from commands.errors import UsageError
from commands.results import Outcome

MAX_NAMES = 20


class Poster(Protocol):
    """Where announcements go (`bot.channel.ChannelPoster`: paced for Slack's one message a second)."""

    def post(self, text: str, blocks: list[dict[str, Any]]) -> None: ...


class Announcer:
    """A `Dispatcher.on_change` listener that posts one short message per action.

    Commands that claim their containers (stop, restart, rm, cleanup) are left to the event watcher, which
    tells them as their containers actually stop or go, in one message with who did it.
    """

    def __init__(self, poster: Poster) -> None:
        self._poster = poster

    def __call__(self, invocation: Invocation, command: str, outcome: Outcome) -> None:
        if not _claims(command):
            self._poster.post(*announcement(invocation, command, outcome))


def _claims(command: str) -> bool:
    try:
        return parse(command.removeprefix(CONFIRM_PREFIX)).claims
    except UsageError:
        return False


def announcement(invocation: Invocation, command: str, outcome: Outcome) -> tuple[str, list[dict[str, Any]]]:
    """The fallback text and blocks for one action (names capped so a 200-container cleanup stays short)."""
    icon = ":white_check_mark:" if outcome.ok else ":warning:"
    names = [f"{t.kind} {t.name}" for t in outcome.changed]
    touched = ", ".join(names[:MAX_NAMES]) + (f" and {len(names) - MAX_NAMES} more" if len(names) > MAX_NAMES else "")
    headline = f"{icon} <@{invocation.user}> ran `{escape(command)[:200]}`: {escape(outcome.summary)[:1000]}"
    lines = [headline, f"Touched: {escape(touched)}"]
    lines += [f"Failed: {escape(failure)[:300]}" for failure in outcome.failures[:10]]
    text = "\n".join(lines)[:2900]
    return text, [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]
