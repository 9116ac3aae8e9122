"""The console: scripted input, printed replies, y/N for destructive commands, never a raised error."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

import pytest

from bot import messages
from bot.console import run_console, run_line
from bot.dispatch import Dispatcher, Invocation
from commands.engine import Engine
from commands.presets import Presets
from tests.unit.fakes import FakeEngine, container


def script(*answers: str | type[BaseException]) -> Callable[[str], str]:
    """An `ask` that returns the given lines in order (or raises the given exception), recording prompts."""
    queue = list(answers)

    def ask(prompt: str) -> str:
        prompts.append(prompt)
        item = queue.pop(0)
        if isinstance(item, type):
            raise item()
        return item

    prompts: list[str] = []
    ask.prompts = prompts  # type: ignore[attr-defined]
    return ask


@pytest.fixture
def engine() -> FakeEngine:
    return FakeEngine([container("old"), container("web", "running")])


@pytest.fixture
def dispatcher(engine: FakeEngine) -> Dispatcher:
    return Dispatcher(cast(Engine, engine), Presets.empty())


def test_exit_ends_the_session(dispatcher: Dispatcher) -> None:
    """Banner, blank lines ignored, `exit` returns 0 without running anything else."""
    said: list[str] = []
    assert run_console(dispatcher, ask=script("", "   ", "EXIT", "ps"), say=said.append) == 0
    assert said == [messages.console_banner("fake://engine")]


@pytest.mark.parametrize("ending", [EOFError, KeyboardInterrupt])
def test_end_of_input_ends_the_session(dispatcher: Dispatcher, ending: type[BaseException]) -> None:
    """Ctrl-D / Ctrl-C at the prompt: a newline and exit code 0."""
    said: list[str] = []
    assert run_console(dispatcher, ask=script("ps", ending), say=said.append) == 0
    assert said[-1] == ""
    assert "web" in said[1]


def test_usage_error_is_printed_not_raised(dispatcher: Dispatcher) -> None:
    """A bad command prints the error and usage; the session goes on."""
    said: list[str] = []
    assert run_console(dispatcher, ask=script("logs", "bogus", "quit"), say=said.append) == 0
    assert said[1] == "Error: Missing CONTAINER.\nUsage: logs CONTAINER [--tail N] [--since WHEN] [-t]"
    assert said[2] == "Error: Unknown command `bogus`. Try `help` for the list."


@pytest.mark.parametrize(
    ("answer", "removed"), [("y", True), ("YES", True), ("n", False), ("", False), ("maybe", False)]
)
def test_destructive_command_asks(dispatcher: Dispatcher, engine: FakeEngine, answer: str, removed: bool) -> None:
    """The plan is shown, y/N asked; only y or yes removes, anything else cancels."""
    said: list[str] = []
    ask = script(answer)
    run_line(dispatcher, Invocation("cleanup"), ask=ask, say=said.append)
    assert said[0].splitlines()[0] == "Remove 1 container:"
    assert ask.prompts == [messages.confirm_question(1)]  # type: ignore[attr-defined]
    assert said[1] == ("Removed old." if removed else messages.cancelled())
    assert bool(engine.removed) is removed


def test_end_of_input_at_the_question_cancels(dispatcher: Dispatcher, engine: FakeEngine) -> None:
    """Ctrl-D instead of an answer is a no."""
    said: list[str] = []
    run_line(dispatcher, Invocation("rm old"), ask=script(EOFError), say=said.append)
    assert said[-1] == messages.cancelled()
    assert engine.removed == []


def test_refused_destructive_command_asks_nothing(dispatcher: Dispatcher) -> None:
    """`rm web` (running, no -f) is refused outright: no question."""
    said: list[str] = []
    ask = script()
    run_line(dispatcher, Invocation("rm web"), ask=ask, say=said.append)
    assert said == ["Error: You cannot remove a running container: web. Stop it first, or use `rm -f`."]
    assert ask.prompts == []  # type: ignore[attr-defined]
