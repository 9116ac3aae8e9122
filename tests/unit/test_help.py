"""`help` is generated from the definitions the parser uses, and never touches the engine."""

from __future__ import annotations

import pytest

from bot.render import plain, result_text
from commands import COMMANDS, Command, Context, parse
from commands.base import Opt
from commands.containers import Logs, Ps
from commands.engine import Engine
from commands.errors import UsageError
from commands.presets import Presets
from commands.results import Table, Text
from commands.system import Help


@pytest.fixture
def ctx() -> Context:
    """An engine that cannot be reached: help must not need it."""
    return Context(Engine(base_url="unix:///nonexistent/docker.sock"), Presets.empty(), visible=COMMANDS)


def test_help_lists_every_command_usage(ctx: Context) -> None:
    """One row per visible command: its generated usage and its summary."""
    result = Help().run(ctx)
    assert isinstance(result, Table)
    assert result.columns == ("COMMAND", "WHAT IT DOES")
    assert [row[0] for row in result.rows] == [cls.usage() for cls in COMMANDS]
    assert [row[1] for row in result.rows] == [cls.summary for cls in COMMANDS]
    text = result_text(result)
    for cls in COMMANDS:
        assert cls.usage() in text


@pytest.mark.parametrize(
    ("cls", "usage"),
    [
        (Ps, "ps [-a] [-f KEY=VALUE]... [-n N]"),
        (Logs, "logs CONTAINER [--tail N] [--since WHEN] [-t]"),
    ],
)
def test_usage_line_is_docker_style(cls: type[Command], usage: str) -> None:
    """Usage lines read like DESIGN.md section 2."""
    assert cls.usage() == usage


def test_every_usage_starts_with_the_command_words() -> None:
    """Generated usage names the command and each required positional."""
    for cls in COMMANDS:
        assert cls.usage().startswith(cls.command_name())
        for param in cls.params():
            label = param.spec.names[0] if isinstance(param.spec, Opt) else param.label
            assert label in cls.usage()


def test_help_logs_describes_its_flags(ctx: Context) -> None:
    """`help logs`: usage, summary and every flag with its help text."""
    result = parse("help logs").run(ctx)
    assert isinstance(result, Text)
    assert result.title == "logs"
    lines = result.body.splitlines()
    assert lines[0] == f"Usage: {Logs.usage()}"
    assert Logs.summary in lines
    assert any(line.split()[:3] == ["--tail,", "-n", "N"] and "lines from the end" in line for line in lines)
    assert any(line.split()[:2] == ["--since", "WHEN"] for line in lines)
    assert any(line.split()[:2] == ["-t,", "--timestamps"] and "time of each line" in line for line in lines)
    assert lines[-1] == "Also: container logs"


@pytest.mark.parametrize("line", ["help container ls", "help ps", "help CONTAINER LS", "help container list"])
def test_help_by_alias(ctx: Context, line: str) -> None:
    """An alias finds the same command's help, which lists its flags and aliases."""
    result = parse(line).run(ctx)
    assert isinstance(result, Text)
    assert result.title == "ps"
    assert "-a, --all" in result.body
    assert "-f, --filter KEY=VALUE" in result.body
    assert "-n, --last N" in result.body
    assert "Also: container ls, container ps, container list" in result.body


@pytest.mark.parametrize("line", ["help nosuch", "help container", "help image"])
def test_help_for_unknown_command(ctx: Context, line: str) -> None:
    """Asking about a command that does not exist is a usage error pointing at `help`."""
    with pytest.raises(UsageError, match=r"^No command `.+` you can run\. Try `help`\.$"):
        parse(line).run(ctx)


def test_help_shows_only_visible_commands() -> None:
    """Commands the caller may not run are neither listed nor described."""
    ctx = Context(Engine(base_url="unix:///nonexistent"), Presets.empty(), visible=(Ps,))
    result = Help().run(ctx)
    assert isinstance(result, Table)
    assert result.rows == ((Ps.usage(), Ps.summary),)
    with pytest.raises(UsageError):
        parse("help logs").run(ctx)


def test_help_renders_as_plain_text(ctx: Context) -> None:
    """The console shows help's title and table as text."""
    from bot.dispatch import Answer

    text = plain(Answer("help", Help().run(ctx)))
    assert text.splitlines()[0] == "Commands you can run"
    assert "image prune [-a] [--filter until=WHEN]..." in text
