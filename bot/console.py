"""The local console: the same commands and pipeline as Slack, in a terminal, with y/N for destructive ones."""

from __future__ import annotations

from collections.abc import Callable

from bot import messages
from bot.dispatch import Dispatcher, Invocation, Proposal
from bot.progress import Throttled
from bot.render import plain

Prompt = Callable[[str], str]
EXIT_WORDS = {"exit", "quit", "q"}


def run_console(
    dispatcher: Dispatcher, *, user: str = "console", ask: Prompt = input, say: Callable[[str], None] = print
) -> int:
    """Read commands until `exit` or end of input; never raises on a bad command."""
    say(messages.console_banner(dispatcher.engine.where))
    while True:
        try:
            line = ask("dockbot> ").strip()
        except (EOFError, KeyboardInterrupt):
            say("")
            return 0
        if line.lower() in EXIT_WORDS:
            return 0
        if line:
            run_line(dispatcher, Invocation(line, user=user, user_name=user), ask=ask, say=say)


def run_line(dispatcher: Dispatcher, invocation: Invocation, *, ask: Prompt, say: Callable[[str], None]) -> None:
    reply = dispatcher.handle(invocation, progress=Throttled(say))
    say(plain(reply))
    if isinstance(reply, Proposal):
        try:
            answer = ask(messages.confirm_question(len(reply.plan.targets))).strip().lower()
        except (EOFError, KeyboardInterrupt):
            answer = ""
        outcome = dispatcher.confirm(reply.token) if answer in ("y", "yes") else dispatcher.cancel(reply.token)
        say(plain(outcome))
